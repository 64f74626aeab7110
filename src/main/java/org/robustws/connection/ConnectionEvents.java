package org.robustws.connection;

/**
 * What the dispatcher tells the rest of the application. The CDI implementation fires events; unit
 * tests record them. Each call must be cheap and must not throw.
 */
public interface ConnectionEvents {
  void opened(ConnectionOpened event);

  void closed(ConnectionClosed event);

  void received(MessageReceived event);

  void resumed(ResumeAttempted event);
}
