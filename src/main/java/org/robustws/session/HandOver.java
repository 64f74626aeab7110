package org.robustws.session;

import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.Peers;
import org.robustws.cluster.ThisNode;

/**
 * A resume on another node, by a connection opened at {@code openOrder}, asks this one to let the
 * session go, if a connection here holds it; the answer is the session's record, JSON, or null.
 */
public record HandOver(String sessionId, long openOrder) implements NodeCommand<String> {

  @Override
  public String execute(ThisNode node) {
    return node.sessions().handOver(sessionId, openOrder, node.clock().millis()).orElse(null);
  }

  /** The other nodes of {@code peers}: at most one holds a session. */
  static OtherNodes across(Peers peers) {
    return (sessionId, openOrder) ->
        peers.ask(new HandOver(sessionId, openOrder)).await().stream().findFirst();
  }
}
