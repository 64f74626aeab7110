package org.robustws.testing;

import org.robustws.connection.ConnectionClosed;
import org.robustws.connection.ConnectionEvents;
import org.robustws.connection.ConnectionOpened;
import org.robustws.connection.MessageReceived;
import org.robustws.connection.ResumeAttempted;

/** Connection events nobody listens to. */
public final class NoEvents implements ConnectionEvents {
  @Override
  public void opened(ConnectionOpened event) {}

  @Override
  public void closed(ConnectionClosed event) {}

  @Override
  public void received(MessageReceived event) {}

  @Override
  public void resumed(ResumeAttempted event) {}
}
