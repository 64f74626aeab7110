package org.robustws.it.observer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.robustws.connection.ConnectionClosed;
import org.robustws.connection.ConnectionOpened;
import org.robustws.connection.MessageReceived;
import org.robustws.connection.ResumeAttempted;

/**
 * Deployed with the app by MessageObserverIT: an application observing every client message, and
 * the opens, closes and resumes of connections.
 */
@ApplicationScoped
public class ObservedMessages {
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final List<String> lifecycle = new CopyOnWriteArrayList<>();

  void received(@Observes MessageReceived event) {
    seen.add(event.endpoint().label() + ":" + event.type() + ":" + event.text());
  }

  void opened(@Observes ConnectionOpened event) {
    lifecycle.add("opened:" + event.connection().endpoint() + ":" + event.connection().id());
  }

  void closed(@Observes ConnectionClosed event) {
    lifecycle.add("closed:" + event.connection().id() + ":" + event.code());
  }

  void resumed(@Observes ResumeAttempted event) {
    lifecycle.add("resume:" + event.connectionId() + ":" + event.result());
  }

  List<String> seen() {
    return seen;
  }

  List<String> lifecycle() {
    return lifecycle;
  }
}
