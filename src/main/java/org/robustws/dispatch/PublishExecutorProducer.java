package org.robustws.dispatch;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.concurrent.Executor;
import org.robustws.connection.PublishExecutor;

/** The threads that fan out publications: WildFly's default managed executor. */
@ApplicationScoped
public class PublishExecutorProducer {

  // the global name: java:comp/ resolves only on a thread of a component, and the dispatcher
  // (which takes this executor) may first be made on a management thread, for a health check
  @Resource(lookup = "java:jboss/ee/concurrency/executor/default")
  Executor managedExecutor;

  @Produces
  @Singleton
  PublishExecutor publishExecutor() {
    return managedExecutor::execute;
  }
}
