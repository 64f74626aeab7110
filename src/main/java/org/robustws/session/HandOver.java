package org.robustws.session;

import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.Peers;
import org.robustws.cluster.ThisNode;

/**
 * A resume on another node asks this one to let the session go, if a connection here holds it; the
 * answer is the session's record, JSON, or null.
 */
public record HandOver(String sessionId) implements NodeCommand<String> {

  @Override
  public String execute(ThisNode node) {
    return node.sessions().handOver(sessionId, node.clock().millis()).orElse(null);
  }

  /** The other nodes of {@code peers}: at most one holds a session. */
  static OtherNodes across(Peers peers) {
    return sessionId -> peers.ask(new HandOver(sessionId)).await().stream().findFirst();
  }
}
