package org.robustws.session;

import java.util.Optional;

/** The other nodes of a cluster, as a resume sees them: one of them may hold the session. */
@FunctionalInterface
public interface OtherNodes {
  /** A lone server's: there are none. */
  OtherNodes NONE = (sessionId, openOrder, claim) -> Optional.empty();

  /**
   * Makes the node whose connection holds the session, if another node's does, let it go to the
   * resuming connection, unless that one is older than its holder ({@code openOrder}, {@link
   * org.robustws.connection.Outbound#openOrder}) or the resume would fail from its record ({@code
   * claim}).
   *
   * @return the session's record as that node had it, and whether it let it go
   */
  Optional<HandOver.Handed> handOver(String sessionId, long openOrder, ResumeClaim claim);
}
