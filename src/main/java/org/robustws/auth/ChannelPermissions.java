package org.robustws.auth;

import java.util.List;
import java.util.Map;
import org.robustws.api.ChannelAuthorizer;
import org.robustws.api.ChannelAuthorizer.Action;
import org.robustws.api.ChannelAuthorizer.Decision;

/**
 * Who may subscribe to and publish on a channel: the rule of its namespace (the part of its name
 * before the first {@code :}, {@code default} without one), then the application's {@link
 * ChannelAuthorizer}s, whose answer replaces the rule's unless they abstain (a deny wins over an
 * allow). Namespaces are matched by {@link #key}: without regard to case, and with {@code .} and
 * {@code -} the same, as in the environment variable form of their keys. Immutable.
 */
public final class ChannelPermissions {
  /** The namespace of channel names without {@code :}. */
  public static final String DEFAULT_NAMESPACE = "default";

  /** A namespace's two rules. */
  public record Rules(ChannelRule subscribe, ChannelRule publish) {
    ChannelRule of(Action action) {
      return action == Action.SUBSCRIBE ? subscribe : publish;
    }
  }

  private final Map<String, Rules> namespaces;
  private final Rules fallback;
  private final List<ChannelAuthorizer> authorizers;

  /**
   * @param namespaces rules by namespace {@link #key}
   * @param fallback the rules of namespaces without their own
   */
  public ChannelPermissions(
      Map<String, Rules> namespaces, Rules fallback, List<ChannelAuthorizer> authorizers) {
    this.namespaces = Map.copyOf(namespaces);
    this.fallback = fallback;
    this.authorizers = List.copyOf(authorizers);
  }

  /**
   * How a namespace is looked up: upper case, every character but letters and digits a {@code _}.
   */
  public static String key(String namespace) {
    StringBuilder key = new StringBuilder(namespace.length());
    for (int i = 0; i < namespace.length(); i++) {
      char c = namespace.charAt(i);
      key.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
    }
    return key.toString();
  }

  /**
   * @param identity the connection's, or {@code null} before it authenticated
   */
  public boolean allows(Identity identity, Action action, String channel) {
    int colon = channel.indexOf(':');
    String namespace = colon < 0 ? DEFAULT_NAMESPACE : channel.substring(0, colon);
    String rest = colon < 0 ? channel : channel.substring(colon + 1);
    boolean allowed =
        namespaces.getOrDefault(key(namespace), fallback).of(action).allows(identity, rest);
    boolean allowedByApp = false;
    for (ChannelAuthorizer authorizer : authorizers) {
      Decision decision = authorizer.authorize(identity, action, channel);
      if (decision == Decision.DENY) {
        return false;
      }
      allowedByApp |= decision == Decision.ALLOW;
    }
    return allowed || allowedByApp;
  }
}
