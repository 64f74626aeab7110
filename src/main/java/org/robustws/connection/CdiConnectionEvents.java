package org.robustws.connection;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import org.robustws.logging.WsLog;

/**
 * Fires the dispatcher's events as CDI events. An observer that throws is logged and does not
 * disturb the connection or the other observers' next events. {@code @Dependent} (stateless,
 * injected into the dispatcher only), so its calls for every message go without a client proxy.
 */
@Dependent
public class CdiConnectionEvents implements ConnectionEvents {

  @Inject Event<ConnectionOpened> openedEvent;
  @Inject Event<ConnectionClosed> closedEvent;
  @Inject Event<MessageReceived> receivedEvent;
  @Inject Event<ResumeAttempted> resumedEvent;
  @Inject BeanManager beanManager;
  private boolean messagesObserved;

  /**
   * Observers are fixed once the application has started, and firing an event that nobody observes
   * still costs an observer resolution for every message.
   */
  @PostConstruct
  void findMessageObservers() {
    MessageReceived sample = new MessageReceived("", EndpointKind.WS, "", 0, "");
    messagesObserved = !beanManager.resolveObserverMethods(sample).isEmpty();
  }

  @Override
  public void opened(ConnectionOpened event) {
    fire(openedEvent, event);
  }

  @Override
  public void closed(ConnectionClosed event) {
    fire(closedEvent, event);
  }

  @Override
  public void received(MessageReceived event) {
    if (messagesObserved) {
      fire(receivedEvent, event);
    }
  }

  @Override
  public void resumed(ResumeAttempted event) {
    fire(resumedEvent, event);
  }

  private static <T> void fire(Event<T> target, T event) {
    try {
      target.fire(event);
    } catch (RuntimeException e) {
      WsLog.LOG.observerFailed(event.getClass().getSimpleName(), e);
    }
  }
}
