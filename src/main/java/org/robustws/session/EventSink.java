package org.robustws.session;

/** Where a session's frames go while a connection is attached to it. */
public interface EventSink {

  /**
   * Queues a frame without blocking. A sink whose queue is full closes its connection as a slow
   * consumer; the session keeps the frame for replay, so the client catches up by resuming.
   */
  void offer(String type, String frame);

  /**
   * Queues a frame of a resume's answer (the replayed events, then {@code resumed}) whatever the
   * sink's own bounds: the replay buffer bounds these, and a resume must not fail for the very
   * backlog it is meant to deliver.
   */
  void replay(String type, String frame);

  /**
   * Where the connection behind this sink comes in the order the server opened its connections. A
   * session never moves to a connection older than one that already held it (see {@link
   * ClientSession#resume}).
   */
  long openOrder();
}
