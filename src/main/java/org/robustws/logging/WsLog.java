package org.robustws.logging;

import static org.jboss.logging.Logger.Level.DEBUG;
import static org.jboss.logging.Logger.Level.ERROR;
import static org.jboss.logging.Logger.Level.INFO;
import static org.jboss.logging.Logger.Level.WARN;

import java.lang.invoke.MethodHandles;
import org.jboss.logging.BasicLogger;
import org.jboss.logging.Logger;
import org.jboss.logging.annotations.Cause;
import org.jboss.logging.annotations.LogMessage;
import org.jboss.logging.annotations.Message;
import org.jboss.logging.annotations.MessageLogger;

/**
 * Every log event of the server, with a stable id ({@code RWS0001}…) to search and alert on. Call
 * through {@link LogFields} so that each line also carries its fields (connection id, endpoint,
 * close code, …) as structured data in the JSON log.
 */
@MessageLogger(projectCode = "RWS", length = 4)
public interface WsLog extends BasicLogger {
  WsLog LOG = Logger.getMessageLogger(MethodHandles.lookup(), WsLog.class, "org.robustws");

  @LogMessage(level = INFO)
  @Message(id = 1, value = "Connection %s opened on %s from %s")
  void opened(String connectionId, String endpoint, String remoteAddress);

  @LogMessage(level = INFO)
  @Message(id = 2, value = "Connection %s closed with %d (%s) after %d ms")
  void closed(String connectionId, int code, String reason, long durationMillis);

  @LogMessage(level = WARN)
  @Message(id = 3, value = "Connection %s closed abnormally with %d (%s) after %d ms")
  void closedAbnormally(String connectionId, int code, String reason, long durationMillis);

  @LogMessage(level = WARN)
  @Message(id = 4, value = "Connection %s sent nothing for %d ms: closed with 4000")
  void heartbeatTimeout(String connectionId, long silentMillis);

  @LogMessage(level = INFO)
  @Message(id = 5, value = "Connection %s resumed session %s, %d events replayed")
  void resumed(String connectionId, String sessionId, int replayed);

  @LogMessage(level = WARN)
  @Message(id = 6, value = "Connection %s could not resume session %s: %s")
  void resumeFailed(String connectionId, String sessionId, String reason);

  @LogMessage(level = DEBUG)
  @Message(id = 7, value = "Message from %s rejected with %s: %s")
  void rejected(String connectionId, String error, String detail);

  @LogMessage(level = WARN)
  @Message(id = 8, value = "Send to %s failed")
  void sendFailed(String connectionId, @Cause Throwable cause);

  @LogMessage(level = ERROR)
  @Message(id = 9, value = "Server error on %s")
  void serverError(String connectionId, @Cause Throwable cause);

  @LogMessage(level = DEBUG)
  @Message(id = 10, value = "In  %s %s %d bytes")
  void messageIn(String connectionId, String type, int bytes);

  @LogMessage(level = DEBUG)
  @Message(id = 11, value = "Out %s %s %d bytes")
  void messageOut(String connectionId, String type, int bytes);

  @LogMessage(level = WARN)
  @Message(
      id = 12,
      value = "Connection %s closed with 4008: %d frames queued, the client reads too slowly")
  void slowConsumer(String connectionId, int queuedFrames);

  @LogMessage(level = INFO)
  @Message(id = 13, value = "Shutting down: %d connections told to reconnect, closing with 1012")
  void shuttingDown(int connections);

  @LogMessage(level = WARN)
  @Message(id = 14, value = "%d connections still open after the %d ms drain time")
  void drainIncomplete(int connections, long drainMillis);

  @LogMessage(level = INFO)
  @Message(id = 15, value = "Heartbeat every %d ms, timeout %d ms")
  void heartbeatStarted(long intervalMillis, long timeoutMillis);

  @LogMessage(level = ERROR)
  @Message(id = 16, value = "Heartbeat tick failed")
  void heartbeatFailed(@Cause Throwable cause);

  @LogMessage(level = DEBUG)
  @Message(id = 17, value = "I/O failure on %s")
  void ioFailure(String connectionId, @Cause Throwable cause);

  @LogMessage(level = DEBUG)
  @Message(id = 18, value = "Heartbeat: %d pinged, %d timed out")
  void heartbeatTick(int pinged, int timedOut);

  @LogMessage(level = DEBUG)
  @Message(id = 19, value = "Close of WebSocket session %s failed")
  void closeFailed(String sessionId, @Cause Throwable cause);

  @LogMessage(level = WARN)
  @Message(
      id = 21,
      value = "Event %2$d of channel %1$s was not queued for all its subscribers within %3$d s")
  void deliveryStalled(String channel, long offset, long seconds);

  @LogMessage(level = ERROR)
  @Message(id = 22, value = "Giving event %3$d of channel %2$s to session %1$s failed")
  void deliveryFailed(String sessionId, String channel, long offset, @Cause Throwable cause);

  @LogMessage(level = WARN)
  @Message(id = 23, value = "Connection %s sent a token that was refused (%s): closed with %d")
  void tokenRefused(String connectionId, String reason, int code);

  @LogMessage(level = WARN)
  @Message(id = 24, value = "Handshake from %s refused with 401: its bearer token was refused (%s)")
  void bearerRefused(String remoteAddress, String reason);

  @LogMessage(level = WARN)
  @Message(
      id = 25,
      value =
          "No token verifier is configured (mp.jwt.verify.publickey.location): every client may"
              + " subscribe and publish on every channel")
  void noVerifier();

  @LogMessage(level = DEBUG)
  @Message(id = 26, value = "Connection %s authenticated as %s until %d")
  void authenticated(String connectionId, String subject, long expiresAt);

  @LogMessage(level = DEBUG)
  @Message(id = 27, value = "Another node of the cluster did not answer: %s")
  void peerNotAnswering(String failure);

  @LogMessage(level = ERROR)
  @Message(id = 20, value = "An observer of %s failed")
  void observerFailed(String event, @Cause Throwable cause);

  @LogMessage(level = ERROR)
  @Message(id = 28, value = "Fan-out catch-up tick failed")
  void catchUpFailed(@Cause Throwable cause);

  @LogMessage(level = ERROR)
  @Message(id = 29, value = "Session record refresh tick failed")
  void recordRefreshFailed(@Cause Throwable cause);

  @LogMessage(level = WARN)
  @Message(
      id = 30,
      value =
          "%d transaction(s) of cluster nodes that left held locks on the channel streams here: "
              + "asked Infinispan to roll them back")
  void leaverTransactions(int count);

  @LogMessage(level = ERROR)
  @Message(id = 31, value = "Leaver transaction check failed")
  void leaverCheckFailed(@Cause Throwable cause);

  @LogMessage(level = INFO)
  @Message(
      id = 32,
      value =
          "An append to channel %s starts again: the streams cache's topology changed from %d "
              + "while it waited for the channel head's lock")
  void appendStartedAgain(String channel, int topology);

  @LogMessage(level = WARN)
  @Message(
      id = 33,
      value =
          "The copies of channel %s differed (heads %s): offsets %d-%d of epoch %s, committed on "
              + "some nodes only by a node that left, are now written to every node")
  void headCopiesCompleted(String channel, String heads, long from, long to, String epoch);
}
