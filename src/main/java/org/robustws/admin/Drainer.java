package org.robustws.admin;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;
import org.robustws.connection.ConnectionManager;
import org.robustws.lifecycle.Drain;

/**
 * Runs {@link Drain#shutdown()} once, on a managed thread: it waits up to {@code
 * ws.shutdown.drain-ms} for the clients to go, and the caller must not.
 */
@ApplicationScoped
public class Drainer {
  private static final Logger LOG = Logger.getLogger(Drainer.class);

  @Inject Drain drain;
  @Inject ConnectionManager connections;

  @Resource(lookup = "java:comp/DefaultManagedExecutorService")
  Executor executor;

  private final AtomicBoolean started = new AtomicBoolean();

  /**
   * Starts the drain unless it has started before.
   *
   * @return true if this call started it
   * @throws java.util.concurrent.RejectedExecutionException if no thread could take it; a later
   *     call may try again
   */
  boolean start() {
    if (!started.compareAndSet(false, true)) {
      return false;
    }
    try {
      executor.execute(this::run);
    } catch (RuntimeException e) {
      started.set(false);
      throw e;
    }
    return true;
  }

  private void run() {
    try {
      drain.shutdown();
      LOG.infof("Drain done: %d connections left", connections.size());
    } catch (RuntimeException e) {
      LOG.errorf(e, "The drain failed");
    }
  }
}
