package org.robustws.dispatch;

import jakarta.json.JsonValue;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.robustws.api.ChannelAuthorizer.Action;
import org.robustws.auth.AccessControl;
import org.robustws.auth.AuthFailure;
import org.robustws.auth.Identity;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.TrafficListener;
import org.robustws.logging.LogFields;
import org.robustws.logging.WsLog;
import org.robustws.protocol.ClientMessage;
import org.robustws.protocol.CloseCodes;
import org.robustws.protocol.ErrorCode;
import org.robustws.protocol.ProtocolException;
import org.robustws.protocol.ServerMessage;
import org.robustws.session.ClientSession;
import org.robustws.session.SessionStore;

/**
 * What {@code /ws} does about identity (docs/security.md): the {@code auth} message and its
 * refresh, the refusal of everything but {@code ping} before it when authentication is required,
 * channel permissions, and the cap per subject. A refused token closes the connection, never with
 * the token in a log line or a close reason.
 */
final class WsAuth {
  private final AccessControl access;
  private final SessionStore sessions;
  private final TrafficListener traffic;
  private final BiConsumer<Connection, ServerMessage> reply;

  WsAuth(
      AccessControl access,
      SessionStore sessions,
      TrafficListener traffic,
      BiConsumer<Connection, ServerMessage> reply) {
    this.access = access;
    this.sessions = sessions;
    this.traffic = traffic;
    this.reply = reply;
  }

  /** {@code system/connected} naming the identity the upgrade request proved, if any. */
  ServerMessage.Connected announced(Connection connection, ServerMessage.Connected connected) {
    Identity identity = connection.identity();
    return identity == null ? connected : connected.as(identity.subject(), identity.expiresAt());
  }

  /**
   * A connection that authenticated on its upgrade request, now open: counted for its subject, and
   * closed with 4009 if that is one too many.
   */
  void admitted(Connection connection) {
    if (connection.identity() != null) {
      join(connection, connection.identity());
    }
  }

  /** Counts the connection for its subject; closes it with 4009 after what is queued if over. */
  private void join(Connection connection, Identity identity) {
    if (!access.joined(identity.subject(), connection.id())) {
      connection.closeAfterQueued(
          CloseCodes.TOO_MANY_USER_CONNECTIONS, "too many connections of this user");
    }
  }

  void closed(Connection connection) {
    Identity identity = connection.identity();
    if (identity != null) {
      access.left(identity.subject(), connection.id());
    }
  }

  /** Refuses what a connection may not do before it authenticated, when it must. */
  void requireIdentity(Connection connection, ClientMessage message) throws ProtocolException {
    if (access.required()
        && connection.identity() == null
        && !(message instanceof ClientMessage.Auth || message instanceof ClientMessage.Ping)) {
      throw new ProtocolException(
          ErrorCode.UNAUTHENTICATED, "authenticate first: send 'auth' with a token", idOf(message));
    }
  }

  /** Refuses an action on a channel that the connection's identity may not take. */
  void requirePermission(Connection connection, Action action, String channel, JsonValue id)
      throws ProtocolException {
    if (!access.allows(connection.identity(), action, channel)) {
      throw new ProtocolException(
          ErrorCode.FORBIDDEN,
          "not allowed to " + action.name().toLowerCase(Locale.ROOT) + " '" + channel + "'",
          id);
    }
  }

  /** Whether the connection's identity may read {@code channel}. */
  boolean mayRead(Connection connection, String channel) {
    return access.allows(connection.identity(), Action.SUBSCRIBE, channel);
  }

  /**
   * Authenticates the connection, or refreshes its token (same subject only); a refused token
   * closes it with 4003, or 4004 for an expired one.
   *
   * @param first whether this is the connection's first message: a {@code resume} may follow it
   */
  void authenticate(Connection connection, ClientMessage.Auth request, boolean first)
      throws ProtocolException {
    if (!access.enabled()) {
      throw new ProtocolException(
          ErrorCode.AUTH_NOT_CONFIGURED, "this server verifies no tokens", request.id());
    }
    Identity previous = connection.identity();
    Identity verified;
    try {
      verified = access.verify(request.token());
      if (previous != null && !previous.subject().equals(verified.subject())) {
        throw new AuthFailure(
            AuthFailure.Reason.SUBJECT_CHANGED, "token refused: a refresh must keep the subject");
      }
    } catch (AuthFailure failure) {
      refuse(connection, failure);
      return;
    }
    connection.authenticate(verified);
    if (WsLog.LOG.isDebugEnabled()) {
      try (LogFields f = connection.logFields("RWS0026")) {
        WsLog.LOG.authenticated(connection.id(), verified.subject(), verified.expiresAt());
      }
    }
    if (first) {
      connection.inbound().keepNextFirst();
    }
    reply.accept(
        connection,
        ServerMessage.Authenticated.of(request.id(), verified.subject(), verified.expiresAt()));
    ClientSession session = WsProtocol.session(sessions, connection);
    sessions.claim(session, verified.subject());
    revokeForbidden(connection, session);
    if (previous == null) {
      join(connection, verified);
    }
    if (connection.state() == ConnectionState.DISCONNECTED) {
      closed(connection); // its close ran before it had an identity to give back
    }
  }

  /** Unsubscribes, and tells, the channels the connection's identity may no longer read. */
  private void revokeForbidden(Connection connection, ClientSession session) {
    boolean changed = false;
    for (String channel : session.channels()) {
      if (!mayRead(connection, channel) && sessions.unsubscribe(session, channel)) {
        reply.accept(connection, ServerMessage.Unsubscribed.forbidden(channel));
        changed = true;
      }
    }
    if (changed) {
      connection.describeSession(session.id(), session.channels());
    }
  }

  private void refuse(Connection connection, AuthFailure failure) {
    String reason = failure.reason().label();
    int code =
        failure.reason() == AuthFailure.Reason.EXPIRED
            ? CloseCodes.TOKEN_EXPIRED
            : CloseCodes.INVALID_TOKEN;
    traffic.authFailed(reason);
    try (LogFields f = connection.logFields("RWS0023")) {
      WsLog.LOG.tokenRefused(connection.id(), reason, code);
    }
    connection.close(code, failure.getMessage());
  }

  private static JsonValue idOf(ClientMessage message) {
    if (message instanceof ClientMessage.Subscribe m) {
      return m.id();
    } else if (message instanceof ClientMessage.Unsubscribe m) {
      return m.id();
    } else if (message instanceof ClientMessage.Publish m) {
      return m.id();
    }
    return null;
  }
}
