package org.robustws.lifecycle;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.util.Set;

/**
 * Registers {@link GracefulShutdown} and {@link SuspendHook} from a container initializer rather
 * than with {@code @WebListener}: listeners added here come after Undertow's WebSocket listener and
 * are therefore destroyed before it, that is before the container closes every session with a bare
 * 1001. CDI's {@code @PreDestroy} would run only after that.
 */
public class ShutdownInitializer implements ServletContainerInitializer {
  @Override
  public void onStartup(Set<Class<?>> classes, ServletContext context) {
    context.addListener(GracefulShutdown.class);
    context.addListener(SuspendHook.class);
  }
}
