package org.robustws.connection;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/** The network side of one connection. Implementations never block the caller. */
public interface Transport {

  /** Sends one text frame; {@code done} gets {@code null} on success or the failure. */
  void sendText(String text, Consumer<Throwable> done);

  void sendBinary(ByteBuffer data, Consumer<Throwable> done);

  /** The thread that writes the socket (see {@link Outbound#writer()}). */
  Executor writer();

  /** Sends a ping frame; a failure is reported by the exception. */
  void sendPing(ByteBuffer payload) throws java.io.IOException;

  /** Sends a close frame with this code and reason and closes the socket. */
  void close(int code, String reason);
}
