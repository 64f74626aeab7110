package org.robustws.session;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.Peers;
import org.robustws.cluster.ThisNode;
import org.robustws.stream.StreamPosition;

/**
 * A resume on another node, by a connection opened at {@code openOrder}, asks this one to let the
 * session go, if a connection here holds it and the resume would succeed from its record ({@link
 * ResumeClaim}, its positions as three arrays); the answer is the session's record and whether this
 * node let it go, or null.
 */
public record HandOver(
    String sessionId,
    long openOrder,
    String tokenHash,
    String subject,
    long lastSeq,
    String[] channels,
    String[] epochs,
    long[] offsets)
    implements NodeCommand<HandOver.Handed> {

  /** The session's record, JSON, as the node holding it had it, and whether it let it go. */
  public record Handed(String record, boolean released) implements Serializable {}

  static HandOver of(String sessionId, long openOrder, ResumeClaim claim) {
    int size = claim.positions().size();
    String[] channels = new String[size];
    String[] epochs = new String[size];
    long[] offsets = new long[size];
    int i = 0;
    for (Map.Entry<String, StreamPosition> position : claim.positions().entrySet()) {
      channels[i] = position.getKey();
      epochs[i] = position.getValue().epoch();
      offsets[i++] = position.getValue().offset();
    }
    return new HandOver(
        sessionId,
        openOrder,
        claim.tokenHash(),
        claim.subject(),
        claim.lastSeq(),
        channels,
        epochs,
        offsets);
  }

  @Override
  public Handed execute(ThisNode node) {
    Map<String, StreamPosition> positions = new HashMap<>();
    for (int i = 0; i < channels.length; i++) {
      positions.put(channels[i], new StreamPosition(epochs[i], offsets[i]));
    }
    ResumeClaim claim = new ResumeClaim(tokenHash, subject, lastSeq, positions);
    return node.sessions()
        .handOver(sessionId, openOrder, claim, node.clock().millis())
        .orElse(null);
  }

  /** The other nodes of {@code peers}: at most one holds a session. */
  static OtherNodes across(Peers peers) {
    return (sessionId, openOrder, claim) ->
        peers.ask(of(sessionId, openOrder, claim)).await().stream().findFirst();
  }
}
