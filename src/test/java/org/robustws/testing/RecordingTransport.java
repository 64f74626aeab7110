package org.robustws.testing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.robustws.connection.Transport;

/**
 * A transport that records what is sent. Sends complete at once unless {@link #hold()} was called,
 * which leaves them pending, like a client that stopped reading, until {@link #completePending()}
 * completes those pending so far.
 */
public class RecordingTransport implements Transport {
  public final List<String> texts = new ArrayList<>();
  public final List<ByteBuffer> binaries = new ArrayList<>();
  public final List<ByteBuffer> pings = new ArrayList<>();
  public final List<Consumer<Throwable>> pending = new ArrayList<>();
  public int closeCode;
  public String closeReason;
  public int closeCalls;
  private boolean held;

  public void hold() {
    held = true;
  }

  public void completePending() {
    List<Consumer<Throwable>> waiting = new ArrayList<>(pending);
    pending.clear();
    waiting.forEach(done -> done.accept(null));
  }

  @Override
  public synchronized void sendText(String text, Consumer<Throwable> done) {
    texts.add(text);
    complete(done);
  }

  @Override
  public synchronized void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
    binaries.add(data);
    complete(done);
  }

  private void complete(Consumer<Throwable> done) {
    if (held) {
      pending.add(done);
    } else {
      done.accept(null);
    }
  }

  @Override
  public Executor writer() {
    return Runnable::run;
  }

  @Override
  public void sendPing(ByteBuffer payload) {
    pings.add(payload);
  }

  @Override
  public void close(int code, String reason) {
    closeCalls++;
    closeCode = code;
    closeReason = reason;
  }
}
