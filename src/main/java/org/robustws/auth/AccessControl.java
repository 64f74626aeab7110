package org.robustws.auth;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.robustws.api.ChannelAuthorizer.Action;
import org.robustws.protocol.CloseCodes;

/**
 * Who a connection is and what it may do: verifies tokens, decides channel permissions, counts the
 * connections of each subject, and says when a connection must go for its token. Thread-safe; one
 * for the application ({@link AuthProducer}).
 */
public final class AccessControl {
  private final AuthSettings settings;
  private final Optional<TokenVerifier> verifier;
  private final ChannelPermissions permissions;
  // the connections of each subject; a set, so that a close racing an auth counts each once
  private final Map<String, Set<String>> perSubject = new ConcurrentHashMap<>();

  public AccessControl(
      AuthSettings settings, Optional<TokenVerifier> verifier, ChannelPermissions permissions) {
    this.settings = settings;
    this.verifier = verifier;
    this.permissions = permissions;
  }

  /** Whether tokens are verified at all ({@code mp.jwt.verify.publickey.location} is set). */
  public boolean enabled() {
    return verifier.isPresent();
  }

  /** Whether every {@code /ws} connection must authenticate before it may do anything. */
  public boolean required() {
    return settings.required();
  }

  /**
   * @throws AuthFailure for an invalid token
   * @throws IllegalStateException if no verifier is configured (check {@link #enabled()})
   */
  public Identity verify(String token) throws AuthFailure {
    return verifier.orElseThrow(() -> new IllegalStateException("no verifier")).verify(token);
  }

  /**
   * @param identity the connection's, or {@code null} before it authenticated
   */
  public boolean allows(Identity identity, Action action, String channel) {
    return permissions.allows(identity, action, channel);
  }

  /**
   * Counts a connection of {@code subject}; counting one twice changes nothing.
   *
   * @return false if it is one more than {@code ws.max-connections-per-user}: it is counted anyway,
   *     until {@link #left}
   */
  public boolean joined(String subject, String connectionId) {
    int[] count = {0};
    perSubject.compute(
        subject,
        (s, ids) -> {
          Set<String> next = ids == null ? new HashSet<>(2) : ids;
          next.add(connectionId);
          count[0] = next.size();
          return next;
        });
    return settings.maxConnectionsPerUser() == 0 || count[0] <= settings.maxConnectionsPerUser();
  }

  /** A connection of {@code subject} closed; once or more. */
  public void left(String subject, String connectionId) {
    perSubject.computeIfPresent(
        subject,
        (s, ids) -> {
          ids.remove(connectionId);
          return ids.isEmpty() ? null : ids;
        });
  }

  /**
   * The close code a {@code /ws} connection has earned by now for its token, or 0: 4005 if it must
   * authenticate and did not within {@code ws.auth.timeout-ms} of its open, 4004 if its token
   * expired {@code ws.auth.expiry-grace-ms} ago without a refresh.
   *
   * @param identity the connection's, or {@code null} if it has not authenticated
   */
  public int overdue(Identity identity, long openedAt, long now) {
    if (identity == null) {
      return settings.required() && now - openedAt > settings.timeoutMs()
          ? CloseCodes.AUTH_TIMEOUT
          : 0;
    }
    return now > identity.expiresAt() + settings.expiryGraceMs() ? CloseCodes.TOKEN_EXPIRED : 0;
  }
}
