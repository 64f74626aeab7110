package org.robustws.connection;

import java.util.concurrent.Executor;

/**
 * A connection's outbound side as the layer above sees it: where a session's frames go while the
 * connection holds it. A session queues under its own lock (that keeps frames in {@code seq} order)
 * and sends and closes only after releasing it.
 */
public interface Outbound {

  /** The connection's id. */
  String id();

  /**
   * Queues a frame without sending it. {@code forced}: whatever the bounds (a resume's replay,
   * which the channel history bounds).
   *
   * @param bytes the frame's UTF-8 size
   * @return false, queueing nothing, if the frame would exceed the sink's bounds
   */
  boolean enqueue(String type, String frame, int bytes, boolean forced);

  /** Starts sending what was queued. */
  void flush();

  /**
   * The thread that writes this connection's socket, as an executor that runs tasks in order.
   * Frames queued and flushed there are written at once; from any other thread each flush is a task
   * handed to it.
   */
  Executor writer();

  /** Closes the connection with 4008: it did not read fast enough. */
  void closeAsSlowConsumer();

  /** Closes the connection with 4001: a newer connection resumed its session. */
  void closeAsTakenOver();

  /**
   * Where the connection behind this sink comes in the order the server opened its connections,
   * across restarts. A session never moves to a connection older than one that already held it.
   */
  long openOrder();
}
