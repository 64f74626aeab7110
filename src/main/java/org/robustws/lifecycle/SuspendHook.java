package org.robustws.lifecycle;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jboss.as.server.CurrentServiceContainer;
import org.jboss.as.server.suspend.ServerResumeContext;
import org.jboss.as.server.suspend.ServerSuspendContext;
import org.jboss.as.server.suspend.SuspendableActivity;
import org.jboss.as.server.suspend.SuspendableActivityRegistry;
import org.jboss.msc.Service;
import org.jboss.msc.service.ServiceBuilder;
import org.jboss.msc.service.ServiceController;
import org.jboss.msc.service.ServiceName;
import org.jboss.msc.service.StartContext;
import org.jboss.msc.service.StopContext;

/**
 * The graceful stop for a server stop (SIGTERM, {@code :shutdown}), where {@link GracefulShutdown}
 * comes too late: WildFly first suspends the server, and during the suspend Undertow closes every
 * WebSocket with a bare 1001. WildFly runs the {@code prepare} step of every suspendable activity
 * before any {@code suspend} step, and Undertow's pause is a {@code suspend} step, so clients get
 * {@code system/shutdown} and 1012 from here first.
 *
 * <p>WildFly-specific: it registers with the server's suspend controller through MSC (module {@code
 * org.jboss.as.server}, see jboss-deployment-structure.xml). The wait for the clients' close frames
 * is bounded by {@code ws.shutdown.drain-ms}, and by the server's own suspend timeout ({@code
 * -Dorg.wildfly.sigterm.suspend.timeout}, seconds; 0 by default).
 */
public class SuspendHook implements ServletContextListener, SuspendableActivity {
  private static final ServiceName SUSPEND_CONTROLLER =
      ServiceName.parse("org.wildfly.server.suspend-controller");

  @Inject Drain drain;
  private volatile ServiceController<?> controller;

  @Override
  public void contextInitialized(ServletContextEvent event) {
    ServiceBuilder<?> builder = CurrentServiceContainer.getServiceContainer().addService();
    Supplier<SuspendableActivityRegistry> registry = builder.requires(SUSPEND_CONTROLLER);
    SuspendableActivity activity = this;
    builder.setInstance(
        new Service() {
          @Override
          public void start(StartContext context) {
            registry
                .get()
                .registerActivity(activity, SuspendableActivityRegistry.SuspendPriority.FIRST);
          }

          @Override
          public void stop(StopContext context) {
            registry.get().unregisterActivity(activity);
          }
        });
    controller = builder.install();
  }

  @Override
  public void contextDestroyed(ServletContextEvent event) {
    if (controller != null) {
      controller.setMode(ServiceController.Mode.REMOVE);
    }
  }

  @Override
  public CompletionStage<Void> prepare(ServerSuspendContext context) {
    if (context.isStarting()) {
      return COMPLETED; // registering while the server boots counts as a suspend
    }
    // queue the goodbyes now, while the server still waits for this step; wait elsewhere
    drain.start();
    return CompletableFuture.runAsync(drain::awaitGone);
  }

  @Override
  public CompletionStage<Void> suspend(ServerSuspendContext context) {
    return COMPLETED;
  }

  @Override
  public CompletionStage<Void> resume(ServerResumeContext context) {
    return COMPLETED;
  }
}
