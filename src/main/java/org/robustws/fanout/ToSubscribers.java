package org.robustws.fanout;

import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.ThisNode;
import org.robustws.protocol.Utf8;
import org.robustws.stream.StreamEntry;

/**
 * A committed event, for the subscribers of another node; the answer is how many it was given to.
 * It carries the event (a few hundred bytes) rather than its offset: the receiving node needs no
 * read of its own copy of the stream unless one of its sessions missed an earlier offset.
 */
public record ToSubscribers(String channel, String epoch, long offset, String tail, long appendedAt)
    implements NodeCommand<Integer> {

  static ToSubscribers of(StreamEntry entry) {
    return new ToSubscribers(
        entry.channel(), entry.epoch(), entry.offset(), entry.tail(), entry.appendedAt());
  }

  @Override
  public Integer execute(ThisNode node) {
    return node.fanout()
        .deliver(new StreamEntry(channel, epoch, offset, tail, Utf8.length(tail), appendedAt));
  }
}
