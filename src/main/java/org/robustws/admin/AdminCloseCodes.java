package org.robustws.admin;

import org.robustws.protocol.CloseCodes;

/**
 * The close codes an administrator may send: those that tell a client something true about a
 * server-side close (RFC 6455 1000, 1001, 1008, 1011, 1012, 1013) and the application range
 * 4000-4999. Codes that describe a protocol failure (1002, 1003, 1007, 1009, …) or must never be
 * sent (1005, 1006, 1015) are refused.
 */
final class AdminCloseCodes {
  /** The most a close frame's reason may take: 125 payload bytes minus the 2-byte code. */
  static final int MAX_REASON_BYTES = 123;

  private AdminCloseCodes() {}

  static boolean isAllowed(int code) {
    return switch (code) {
      case CloseCodes.NORMAL,
          CloseCodes.GOING_AWAY,
          CloseCodes.POLICY_VIOLATION,
          CloseCodes.SERVER_ERROR,
          CloseCodes.SERVICE_RESTART,
          CloseCodes.TRY_AGAIN_LATER ->
          true;
      default -> code >= 4000 && code <= 4999;
    };
  }
}
