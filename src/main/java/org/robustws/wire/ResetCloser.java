package org.robustws.wire;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Closes the connections whose peer reset them, on one thread of its own (see {@link
 * FrameLimitConduit} for why not on their io thread). A thread that does nothing else: XNIO's
 * worker threads do the handshakes, and a storm of resets usually comes with a storm of
 * reconnections, behind which the closes would wait while the io threads keep polling the dead
 * sockets (a reset socket is reported by every select until its key is cancelled).
 */
@ApplicationScoped
public class ResetCloser {
  @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
  ManagedThreadFactory threads;

  private ExecutorService closer;

  @PostConstruct
  void start() {
    closer = Executors.newSingleThreadExecutor(threads);
  }

  /**
   * Closes {@code connection} soon, on the closer's thread.
   *
   * @return false if the closer no longer runs (the application is stopping)
   */
  boolean close(StreamConnection connection) {
    try {
      closer.execute(() -> IoUtils.safeClose(connection));
      return true;
    } catch (RuntimeException stopped) {
      return false;
    }
  }

  @PreDestroy
  void stop() {
    closer.shutdown();
  }
}
