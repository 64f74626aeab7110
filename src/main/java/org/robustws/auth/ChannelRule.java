package org.robustws.auth;

/**
 * Who may subscribe to or publish on the channels of a namespace: the value of {@code
 * ws.namespace.<ns>.subscribe} or {@code .publish}.
 */
public sealed interface ChannelRule {

  /**
   * @param identity the connection's, or {@code null} before it authenticated
   * @param rest the channel's name after {@code <ns>:} (the whole name in {@code default})
   */
  boolean allows(Identity identity, String rest);

  /** Every connection, authenticated or not. */
  record Anyone() implements ChannelRule {
    @Override
    public boolean allows(Identity identity, String rest) {
      return true;
    }
  }

  /** Connections that authenticated. */
  record Authenticated() implements ChannelRule {
    @Override
    public boolean allows(Identity identity, String rest) {
      return identity != null;
    }
  }

  /** Connections whose token's {@code groups} hold {@code group}. */
  record Role(String group) implements ChannelRule {
    @Override
    public boolean allows(Identity identity, String rest) {
      return identity != null && identity.groups().contains(group);
    }
  }

  /**
   * The connection whose {@code sub} the channel names: {@code user:alice} and {@code
   * user:alice.inbox} are alice's.
   */
  record Owner() implements ChannelRule {
    @Override
    public boolean allows(Identity identity, String rest) {
      if (identity == null) {
        return false;
      }
      String sub = identity.subject();
      return rest.equals(sub) || (rest.startsWith(sub) && rest.charAt(sub.length()) == '.');
    }
  }

  /** No client: only the server-side API and the admin API publish there. */
  record Nobody() implements ChannelRule {
    @Override
    public boolean allows(Identity identity, String rest) {
      return false;
    }
  }

  /**
   * Reads a rule: {@code anyone}, {@code authenticated}, {@code role:<group>}, {@code owner} or
   * {@code nobody}.
   *
   * @throws IllegalArgumentException for anything else, naming the key
   */
  static ChannelRule parse(String key, String value) {
    String v = value.trim();
    if (v.startsWith("role:") && v.length() > "role:".length()) {
      return new Role(v.substring("role:".length()));
    }
    return switch (v) {
      case "anyone" -> new Anyone();
      case "authenticated" -> new Authenticated();
      case "owner" -> new Owner();
      case "nobody" -> new Nobody();
      default ->
          throw new IllegalArgumentException(
              key
                  + " must be anyone, authenticated, role:<group>, owner or nobody, not '"
                  + value
                  + "'");
    };
  }
}
