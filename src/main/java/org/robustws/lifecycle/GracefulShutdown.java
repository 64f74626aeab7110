package org.robustws.lifecycle;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * On undeploy or server stop, tells every client when to come back and closes it with 1012, then
 * waits (bounded) for the closes to complete, so no client sees 1006.
 */
public class GracefulShutdown implements ServletContextListener {
  @Inject Drain drain;

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    drain.shutdown();
  }
}
