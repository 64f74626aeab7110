package org.robustws.api;

import org.robustws.auth.Identity;

/**
 * An application's own rules on who may subscribe to and publish on which channel: implement it as
 * a CDI bean in the WAR (docs/security.md). Asked after the namespace rules ({@code
 * ws.namespace.<ns>.subscribe|publish}) on every {@code subscribe} and {@code publish}, at resume
 * and at a token refresh; its answer replaces theirs unless it abstains. Of several authorizers, a
 * {@link Decision#DENY} wins over an {@link Decision#ALLOW}. Called on the io threads: it must be
 * fast and must not block.
 */
public interface ChannelAuthorizer {

  /** What the connection wants to do. */
  enum Action {
    SUBSCRIBE,
    PUBLISH
  }

  /** The answer: allow or deny, or leave it to the namespace rules and the other authorizers. */
  enum Decision {
    ALLOW,
    DENY,
    ABSTAIN
  }

  /**
   * @param identity who the connection is, or {@code null} for one that has not authenticated
   * @param channel the channel's whole name, namespace included
   */
  Decision authorize(Identity identity, Action action, String channel);
}
