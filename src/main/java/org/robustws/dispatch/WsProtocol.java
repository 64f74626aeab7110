package org.robustws.dispatch;

import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.robustws.api.ChannelAuthorizer.Action;
import org.robustws.auth.AccessControl;
import org.robustws.auth.Identity;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionEvents;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.ResumeAttempted;
import org.robustws.connection.TrafficListener;
import org.robustws.fanout.Fanout;
import org.robustws.protocol.ClientMessage;
import org.robustws.protocol.ErrorCode;
import org.robustws.protocol.MessageCodec;
import org.robustws.protocol.Position;
import org.robustws.protocol.ProtocolException;
import org.robustws.protocol.ServerMessage;
import org.robustws.session.ClientSession;
import org.robustws.session.ResumeRequest;
import org.robustws.session.ResumeResult;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams.Publication;
import org.robustws.stream.StreamPosition;

/** What {@code /ws} does with each client message (docs/protocol.md). */
final class WsProtocol {
  private final MessageCodec codec;
  private final SessionStore sessions;
  private final Fanout fanout;
  private final ConnectionEvents events;
  private final TrafficListener traffic;
  private final ServerMessage.ClientConfig clientConfig;
  private final int maxSubscriptions;
  private final WsAuth auth;

  WsProtocol(
      MessageCodec codec,
      SessionStore sessions,
      Fanout fanout,
      ConnectionEvents events,
      TrafficListener traffic,
      AccessControl access,
      ServerMessage.ClientConfig clientConfig,
      int maxSubscriptions) {
    this.codec = codec;
    this.sessions = sessions;
    this.fanout = fanout;
    this.events = events;
    this.traffic = traffic;
    this.clientConfig = clientConfig;
    this.maxSubscriptions = maxSubscriptions;
    this.auth = new WsAuth(access, sessions, traffic, this::reply);
  }

  /**
   * A new connection gets a fresh session, announced by {@code system/connected} first (with its
   * identity, if it authenticated on its upgrade request).
   */
  void opened(Connection connection, long now) {
    Identity identity = connection.identity();
    SessionStore.Created created =
        sessions.create(connection, identity == null ? null : identity.subject());
    connection.describeSession(created.session().id(), Set.of());
    reply(
        connection,
        auth.announced(
            connection,
            ServerMessage.Connected.of(
                connection.id(),
                created.session().id(),
                created.resumeToken(),
                now,
                clientConfig)));
  }

  /** The connection is open and registered. */
  void admitted(Connection connection) {
    auth.admitted(connection);
  }

  void closed(Connection connection, long now) {
    auth.closed(connection);
    sessions.closed(connection, now);
  }

  void handle(Connection connection, ClientMessage message, boolean first, long now)
      throws ProtocolException {
    auth.requireIdentity(connection, message);
    if (message instanceof ClientMessage.Ping ping) {
      reply(connection, ServerMessage.Pong.of(ping.timestamp(), now, connection.id()));
    } else if (message instanceof ClientMessage.Echo echo) {
      reply(connection, ServerMessage.Echo.of(echo.payload()));
    } else if (message instanceof ClientMessage.Message body) {
      reply(connection, new ServerMessage.MessageEcho(body.body()));
    } else if (message instanceof ClientMessage.Auth request) {
      auth.authenticate(connection, request, first);
    } else if (message instanceof ClientMessage.Subscribe subscribe) {
      auth.requirePermission(connection, Action.SUBSCRIBE, subscribe.channel(), subscribe.id());
      ClientSession session = session(connection);
      if (sessions.subscribe(session, subscribe.channel()) == ClientSession.Subscription.TOO_MANY) {
        throw new ProtocolException(
            ErrorCode.TOO_MANY_SUBSCRIPTIONS,
            "a session may listen to at most " + maxSubscriptions + " channels",
            subscribe.id());
      }
      connection.describeSession(session.id(), session.channels());
      reply(connection, ServerMessage.Subscribed.of(subscribe.channel(), subscribe.id()));
    } else if (message instanceof ClientMessage.Unsubscribe unsubscribe) {
      ClientSession session = session(connection);
      if (!sessions.unsubscribe(session, unsubscribe.channel())) {
        throw new ProtocolException(
            ErrorCode.NOT_SUBSCRIBED,
            "not subscribed to '" + unsubscribe.channel() + "'",
            unsubscribe.id());
      }
      connection.describeSession(session.id(), session.channels());
      reply(connection, ServerMessage.Unsubscribed.of(unsubscribe.channel(), unsubscribe.id()));
    } else if (message instanceof ClientMessage.Publish publish) {
      auth.requirePermission(connection, Action.PUBLISH, publish.channel(), publish.id());
      // the id is the publication's idempotency key within its session (docs/protocol.md)
      ClientSession publisher = publish.id() == null ? null : session(connection);
      String key = publisher == null ? null : publisher.id() + ":" + publish.id();
      Publication publication = new Publication(publish.data(), publish.id(), key);
      if (!connection
          .inbound()
          .publishInOrder(() -> fanOut(connection, publisher, publish, publication))) {
        throw new ProtocolException(
            ErrorCode.RATE_LIMITED,
            "too many publications waiting for delivery; wait for their acks",
            publish.id());
      }
    } else if (message instanceof ClientMessage.Resume resume) {
      if (!first) {
        throw new ProtocolException(
            ErrorCode.INVALID_STATE, "'resume' must be the first message of a connection", null);
      }
      resume(connection, resume, now);
    } else if (message instanceof ClientMessage.Ack ack) {
      session(connection).acknowledge(ack.seq());
    }
  }

  private ClientSession session(Connection connection) {
    return session(sessions, connection);
  }

  /** The session of an open {@code /ws} connection: it has one from its open to its close. */
  static ClientSession session(SessionStore sessions, Connection connection) {
    return sessions
        .ofConnection(connection.id())
        .orElseThrow(() -> new IllegalStateException("no session for " + connection.id()));
  }

  /**
   * Runs on the publish executor (see {@link org.robustws.connection.Inbound#publishInOrder}).
   *
   * @param publisher the publishing session if the publication has an id, else null
   */
  private void fanOut(
      Connection connection,
      ClientSession publisher,
      ClientMessage.Publish publish,
      Publication publication) {
    long start = System.nanoTime();
    try {
      if (publisher != null) {
        sessions.recordBeforePublishing(publisher);
      }
      Fanout.Published published = fanout.publish(publish.channel(), publication);
      reply(
          connection,
          ServerMessage.Ack.of(
              publish.id(),
              publish.channel(),
              published.delivered(),
              published.offset(),
              published.epoch(),
              published.repeated()));
    } catch (RuntimeException e) {
      internalError(connection, publish.id());
      throw e; // the lane logs it
    }
    traffic.handled(publish.type(), System.nanoTime() - start);
  }

  private void resume(Connection connection, ClientMessage.Resume request, long now) {
    Map<String, StreamPosition> positions = new HashMap<>();
    request
        .positions()
        .forEach((channel, p) -> positions.put(channel, new StreamPosition(p.epoch(), p.offset())));
    ResumeResult result =
        sessions.resume(
            new ResumeRequest(
                request.sessionId(),
                request.resumeToken(),
                request.lastSeq(),
                positions,
                connection.identity() == null ? null : connection.identity().subject(),
                channel -> auth.mayRead(connection, channel)),
            connection,
            now,
            (sessionId, token, replayed, lastSeq, at) ->
                codec.encode(
                    ServerMessage.Resumed.of(sessionId, token, replayed, lastSeq, wire(at))));
    if (result instanceof ResumeResult.Resumed resumed) {
      connection.describeSession(resumed.session().id(), resumed.session().channels());
      if (connection.state() != ConnectionState.CONNECTED) {
        // closed meanwhile (the heartbeat closes from its own thread), and its close may have
        // come before the resume gave it the session: without this the session would stay held
        sessions.closed(connection, now);
      }
      if (resumed.previous() != null && resumed.previous() != connection) {
        resumed.previous().closeAsTakenOver();
      }
      resumed
          .revoked()
          .forEach(channel -> reply(connection, ServerMessage.Unsubscribed.forbidden(channel)));
    } else if (result instanceof ResumeResult.Superseded superseded) {
      connection.closeAsTakenOver();
      if (superseded.previous() != null) {
        superseded.previous().closeAsTakenOver();
      }
    } else if (result instanceof ResumeResult.Failed failed) {
      reply(
          connection,
          ServerMessage.ResumeFailed.of(failed.reason().wireValue(), failed.channels()));
    }
    int replayed = result instanceof ResumeResult.Resumed ok ? ok.replayed() : 0;
    traffic.resumed(result.label(), replayed);
    events.resumed(
        new ResumeAttempted(connection.id(), request.sessionId(), result.label(), replayed));
  }

  private static Map<String, Position> wire(Map<String, StreamPosition> positions) {
    Map<String, Position> wire = new TreeMap<>();
    positions.forEach((channel, p) -> wire.put(channel, new Position(p.offset(), p.epoch())));
    return wire;
  }

  /** Answers a message whose handling failed on our side; the caller logs the failure. */
  void internalError(Connection connection, JsonValue ref) {
    traffic.rejected(connection.endpoint(), ErrorCode.INTERNAL.wireValue());
    reply(
        connection, ServerMessage.Error.of(ErrorCode.INTERNAL.wireValue(), "internal error", ref));
  }

  void reply(Connection connection, ServerMessage message) {
    connection.offer(message.type(), codec.encode(message));
  }
}
