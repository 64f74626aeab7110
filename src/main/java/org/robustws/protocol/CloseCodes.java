package org.robustws.protocol;

/**
 * Every close code the server sends, in one place. Standard codes come from RFC 6455; the
 * application range 4000-4999 holds our own. Clients decide whether to reconnect from these, so
 * their meaning never changes (docs/protocol.md).
 */
public final class CloseCodes {
  public static final int NORMAL = 1000;
  public static final int GOING_AWAY = 1001;
  public static final int PROTOCOL_ERROR = 1002;
  public static final int ABNORMAL = 1006;
  public static final int INVALID_PAYLOAD = 1007;
  public static final int POLICY_VIOLATION = 1008;
  public static final int TOO_BIG = 1009;
  public static final int SERVER_ERROR = 1011;
  public static final int SERVICE_RESTART = 1012;
  public static final int TRY_AGAIN_LATER = 1013;

  /** Nothing was received from the client within the heartbeat timeout. */
  public static final int HEARTBEAT_TIMEOUT = 4000;

  /** The session was resumed by a newer connection; this one is obsolete. Do not reconnect. */
  public static final int SESSION_TAKEN_OVER = 4001;

  /** The token is invalid (docs/security.md): do not reconnect with the same token. */
  public static final int INVALID_TOKEN = 4003;

  /** The token expired and was not refreshed: get a fresh one, reconnect and resume. */
  public static final int TOKEN_EXPIRED = 4004;

  /** No valid {@code auth} within {@code ws.auth.timeout-ms} while authentication is required. */
  public static final int AUTH_TIMEOUT = 4005;

  /** The client did not read fast enough; resume to catch up. */
  public static final int SLOW_CONSUMER = 4008;

  /** The subject already holds {@code ws.max-connections-per-user} connections. */
  public static final int TOO_MANY_USER_CONNECTIONS = 4009;

  private CloseCodes() {}
}
