package org.robustws.auth;

import java.util.Set;

/**
 * Who a connection is, from a verified token: nothing secret, so it may be shown and stored.
 *
 * @param subject the token's {@code sub}
 * @param groups the token's {@code groups} claim: its roles
 * @param expiresAt the token's {@code exp}, epoch milliseconds
 */
public record Identity(String subject, Set<String> groups, long expiresAt) {
  public Identity {
    groups = Set.copyOf(groups);
  }
}
