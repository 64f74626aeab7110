package org.robustws.connection;

/**
 * Per-frame observations, for metrics. Called on hot paths (every frame in and out, every
 * heartbeat): implementations must be cheap, must not block and must not throw. Labels are bounded:
 * endpoint, protocol type, error code; never a client id or free text.
 */
public interface TrafficListener {

  void opened(EndpointKind endpoint);

  void closed(EndpointKind endpoint, int code, long durationMillis);

  /**
   * @param result {@code ok} or the {@code resume_failed} reason
   */
  void resumed(String result, int replayed);

  /** A frame arrived; {@code type} is a protocol type, or {@code other} if it was refused. */
  void received(EndpointKind endpoint, String type, int bytes);

  /** A frame of this protocol type reached the socket. */
  void sent(EndpointKind endpoint, String type, int bytes);

  void sendFailed(EndpointKind endpoint);

  /** A client message was refused with this error code (or closed for its size). */
  void rejected(EndpointKind endpoint, String error);

  /** How long handling one message of this type took. */
  void handled(String type, long nanos);

  void roundTrip(double millis);

  void heartbeat(long tickNanos, int timedOut);

  /** A token was refused; {@code reason} is one of {@code AuthFailure.Reason}'s labels. */
  void authFailed(String reason);

  /** Does nothing: for tests, and until something listens. */
  TrafficListener NONE =
      new TrafficListener() {
        @Override
        public void opened(EndpointKind endpoint) {}

        @Override
        public void closed(EndpointKind endpoint, int code, long durationMillis) {}

        @Override
        public void resumed(String result, int replayed) {}

        @Override
        public void received(EndpointKind endpoint, String type, int bytes) {}

        @Override
        public void sent(EndpointKind endpoint, String type, int bytes) {}

        @Override
        public void sendFailed(EndpointKind endpoint) {}

        @Override
        public void rejected(EndpointKind endpoint, String error) {}

        @Override
        public void handled(String type, long nanos) {}

        @Override
        public void roundTrip(double millis) {}

        @Override
        public void heartbeat(long tickNanos, int timedOut) {}

        @Override
        public void authFailed(String reason) {}
      };
}
