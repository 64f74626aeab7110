package org.robustws.endpoint;

import io.undertow.websockets.jsr.UndertowSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;

/**
 * The close code a connection really ended with. Undertow reports 1006 to the endpoint for every
 * close it started itself (its reading of section 2.1.5 of the Jakarta WebSocket specification),
 * also when it failed the connection with a close frame: 1002 for a protocol error, 1007 for
 * invalid UTF-8. Its channel keeps the code of the close frame it sent. Undertow itself sends 1000
 * only when the peer vanished (an end of stream or a reset without a close frame), so that, or no
 * close frame at all, is a real 1006.
 */
final class SentCloseCode {
  private static final int ABNORMAL = CloseReason.CloseCodes.CLOSED_ABNORMALLY.getCode();
  private static final int NONE = -1;
  private static final int NORMAL = CloseReason.CloseCodes.NORMAL_CLOSURE.getCode();

  private SentCloseCode() {}

  static int of(Session session, CloseReason reason) {
    int reported = reason.getCloseCode().getCode();
    if (reported == ABNORMAL && session instanceof UndertowSession undertow) {
      int sent = undertow.getWebSocketChannel().getCloseCode();
      if (sent != NONE && sent != NORMAL) {
        return sent;
      }
    }
    return reported;
  }
}
