package org.robustws.fanout;

import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.ThisNode;
import org.robustws.fanout.Fanout.Published;
import org.robustws.stream.ChannelStreams.Publication;

/**
 * Publications waiting on one node for a channel, for the node that appends it ({@link
 * ChannelAppends}); the answer is where each went and the sessions it was given to on every node,
 * in their order, or {@code null} if that node has stopped appending (none was appended).
 */
public record ToAppender(String channel, Publication[] batch) implements NodeCommand<Published[]> {

  @Override
  public Published[] execute(ThisNode node) {
    return node.publications().appendSent(channel, batch);
  }
}
