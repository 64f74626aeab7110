package org.robustws.dispatch;

import jakarta.json.JsonValue;
import java.nio.ByteBuffer;
import java.time.Clock;
import org.robustws.config.WsSettings;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionEvents;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.EndpointKind;
import org.robustws.connection.Inbound;
import org.robustws.connection.MessageReceived;
import org.robustws.connection.RateLimiter;
import org.robustws.connection.TrafficListener;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;
import org.robustws.protocol.ClientMessage;
import org.robustws.protocol.CloseCodes;
import org.robustws.protocol.ErrorCode;
import org.robustws.protocol.MessageCodec;
import org.robustws.protocol.ProtocolException;
import org.robustws.protocol.ServerMessage;
import org.robustws.protocol.Utf8;

/**
 * What the {@link Dispatcher} does with each frame a client sends once its connection is open: it
 * checks the frame's size and rate, decodes it, gives it to the endpoint's protocol, and counts and
 * logs it. A text or binary frame of a connection that is not (or no longer) {@link
 * ConnectionState#CONNECTED} does nothing. It runs on the io thread that read the frame, one frame
 * of a connection at a time, and never blocks on a client: every answer goes out through the
 * connection's bounded queue.
 */
final class IncomingFrames {

  /** The type label of messages that could not be read as a protocol type. */
  private static final String OTHER = "other";

  private final WsSettings settings;
  private final Clock clock;
  private final MessageCodec codec;
  private final ConnectionEvents events;
  private final TrafficListener traffic;
  private final WsProtocol ws;
  private final LegacyProtocol legacy;

  IncomingFrames(
      WsSettings settings,
      Clock clock,
      MessageCodec codec,
      ConnectionEvents events,
      TrafficListener traffic,
      WsProtocol ws,
      LegacyProtocol legacy) {
    this.settings = settings;
    this.clock = clock;
    this.codec = codec;
    this.events = events;
    this.traffic = traffic;
    this.ws = ws;
    this.legacy = legacy;
  }

  /**
   * A part of a text message. The size limit is enforced here, part by part, because Undertow 2.3
   * does not enforce its own limit on messages that arrive in several reads (UNDERTOW-2770).
   */
  void onTextPart(Connection connection, String part, boolean last) {
    if (connection.state() != ConnectionState.CONNECTED) {
      // we are closing it (perhaps for a message too big), or closed it: a frame still in flight
      // must not act, above all a resume that would take its session from a newer connection
      return;
    }
    Inbound inbound = connection.inbound();
    int bytes = inbound.partialBytes() + Utf8.length(part);
    if (bytes > settings.maxMessageBytes()) {
      inbound.discardPartial();
      traffic.received(connection.endpoint(), OTHER, bytes);
      tooBig(connection);
    } else if (last) {
      onText(connection, inbound.completeMessage(part), bytes);
    } else {
      inbound.seen(clock.millis());
      inbound.addPart(part, bytes);
    }
  }

  /** A whole text message from the client. */
  void onText(Connection connection, String text) {
    if (connection.state() == ConnectionState.CONNECTED) { // as in onTextPart
      onText(connection, text, Utf8.length(text));
    }
  }

  private void onText(Connection connection, String text, int bytes) {
    long now = clock.millis();
    connection.inbound().received(now, bytes);
    if (bytes > settings.maxMessageBytes()) {
      traffic.received(connection.endpoint(), OTHER, bytes);
      tooBig(connection);
      return;
    }
    if (!withinRate(connection, now, bytes)) {
      return;
    }
    boolean first = connection.inbound().firstMessage();
    if (connection.endpoint() == EndpointKind.LEGACY) {
      String type = legacy.typeOf(text);
      traffic.received(connection.endpoint(), type, bytes);
      logIn(connection, type, bytes);
      events.received(
          new MessageReceived(connection.id(), connection.endpoint(), type, bytes, text));
      legacy.handleText(connection, text, type, now);
      return;
    }
    long start = System.nanoTime();
    String type = OTHER;
    JsonValue ref = null;
    boolean timedLater = false;
    try {
      ClientMessage message = codec.decode(text);
      type = message.type();
      // a publication's fan-out runs later, on the publish executor, and is timed there
      timedLater = message instanceof ClientMessage.Publish;
      if (message instanceof ClientMessage.Message body) {
        ref = body.body().get("id");
      }
      events.received(
          new MessageReceived(connection.id(), connection.endpoint(), type, bytes, text));
      ws.handle(connection, message, first, now);
    } catch (ProtocolException e) {
      timedLater = false;
      try (LogFields f = connection.logFields("RWS0007")) {
        WsLog.LOG.rejected(connection.id(), e.code().wireValue(), e.getMessage());
      }
      traffic.rejected(connection.endpoint(), e.code().wireValue());
      ws.reply(connection, e.toMessage());
    } catch (RuntimeException e) {
      try (LogFields f = connection.logFields("RWS0009")) {
        WsLog.LOG.serverError(connection.id(), e);
      }
      ws.internalError(connection, ref);
    }
    traffic.received(connection.endpoint(), type, bytes);
    if (!timedLater) {
      traffic.handled(type, System.nanoTime() - start);
    }
    logIn(connection, type, bytes);
  }

  private static void logIn(Connection connection, String type, int bytes) {
    if (WsLog.LOG.isDebugEnabled()) {
      try (LogFields f = connection.logFields("RWS0010")) {
        WsLog.LOG.messageIn(connection.id(), type, bytes);
      }
    }
  }

  /** A binary frame: echoed on {@code /ws-legacy}, refused on {@code /ws}. */
  void onBinary(Connection connection, ByteBuffer data) {
    if (connection.state() != ConnectionState.CONNECTED) {
      return;
    }
    long now = clock.millis();
    connection.inbound().received(now, data.remaining());
    if (!withinRate(connection, now, data.remaining())) {
      return;
    }
    traffic.received(connection.endpoint(), "binary", data.remaining());
    logIn(connection, "binary", data.remaining());
    connection.inbound().firstMessage();
    if (data.remaining() > settings.maxMessageBytes()) {
      tooBig(connection);
    } else if (connection.endpoint() == EndpointKind.LEGACY) {
      legacy.handleBinary(connection, data);
    } else {
      traffic.rejected(connection.endpoint(), ErrorCode.INVALID_FORMAT.wireValue());
      ws.reply(
          connection,
          ServerMessage.Error.of(
              ErrorCode.INVALID_FORMAT.wireValue(),
              "binary frames are not part of the protocol; send JSON text",
              null));
    }
  }

  /**
   * Applies the connection's rate limit: a message over it gets {@code rate_limited}; a client that
   * keeps sending regardless is closed with 1008.
   */
  private boolean withinRate(Connection connection, long now, int bytes) {
    RateLimiter.Verdict verdict = connection.inbound().acquire(now);
    if (verdict == RateLimiter.Verdict.ALLOW) {
      return true;
    }
    traffic.received(connection.endpoint(), OTHER, bytes);
    traffic.rejected(connection.endpoint(), ErrorCode.RATE_LIMITED.wireValue());
    if (verdict == RateLimiter.Verdict.ABUSE) {
      connection.close(CloseCodes.POLICY_VIOLATION, "rate limit exceeded repeatedly");
    } else {
      ws.reply(
          connection,
          ServerMessage.Error.of(
              ErrorCode.RATE_LIMITED.wireValue(),
              "more than " + settings.rateLimitPerSecond() + " messages per second; slow down",
              null));
    }
    return false;
  }

  private void tooBig(Connection connection) {
    traffic.rejected(connection.endpoint(), "too_big");
    connection.close(
        CloseCodes.TOO_BIG, "message larger than " + settings.maxMessageBytes() + " bytes");
  }

  /** A pong, normally the answer to a heartbeat ping. */
  void onPong(Connection connection, ByteBuffer payload) {
    double rttMillis = connection.inbound().ponged(clock.instant(), payload);
    if (rttMillis >= 0) {
      traffic.roundTrip(rttMillis);
    }
  }
}
