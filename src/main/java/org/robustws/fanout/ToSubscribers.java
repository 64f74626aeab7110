package org.robustws.fanout;

import java.util.ArrayList;
import java.util.List;
import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.ThisNode;
import org.robustws.protocol.Utf8;
import org.robustws.stream.StreamEntry;

/**
 * The events one append committed, for the subscribers of another node; the answer is how many
 * sessions each was given to. They share channel, epoch and append time and have consecutive
 * offsets from {@code firstOffset}. The command carries the events (a few hundred bytes each)
 * rather than their offsets: the receiving node needs no read of its own copy of the stream unless
 * one of its sessions missed an earlier offset.
 */
public record ToSubscribers(
    String channel, String epoch, long firstOffset, String[] tails, long appendedAt)
    implements NodeCommand<int[]> {

  static ToSubscribers of(List<StreamEntry> entries) {
    StreamEntry first = entries.get(0);
    return new ToSubscribers(
        first.channel(),
        first.epoch(),
        first.offset(),
        entries.stream().map(StreamEntry::tail).toArray(String[]::new),
        first.appendedAt());
  }

  @Override
  public int[] execute(ThisNode node) {
    List<StreamEntry> entries = new ArrayList<>(tails.length);
    for (int i = 0; i < tails.length; i++) {
      entries.add(
          new StreamEntry(
              channel, epoch, firstOffset + i, tails[i], Utf8.length(tails[i]), appendedAt));
    }
    return node.fanout().deliverAll(entries);
  }
}
