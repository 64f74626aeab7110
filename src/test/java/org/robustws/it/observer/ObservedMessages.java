package org.robustws.it.observer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.robustws.connection.MessageReceived;

/** Deployed with the app by MessageObserverIT: an application observing every client message. */
@ApplicationScoped
public class ObservedMessages {
  private final List<String> seen = new CopyOnWriteArrayList<>();

  void received(@Observes MessageReceived event) {
    seen.add(event.endpoint().label() + ":" + event.type() + ":" + event.text());
  }

  List<String> seen() {
    return seen;
  }
}
