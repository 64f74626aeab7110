package org.robustws.fanout;

import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.ThisNode;
import org.robustws.fanout.Fanout.Published;
import org.robustws.stream.ChannelStreams.Publication;

/**
 * A publication for the node that appends its channel ({@link Fanout#publish}); the answer is where
 * it went and the sessions it was given to on every node, or {@code null} if that node has stopped
 * appending (it is leaving: the publication was not appended).
 */
public record ToAppender(String channel, Publication publication)
    implements NodeCommand<Published> {

  @Override
  public Published execute(ThisNode node) {
    return node.publications().appendHere(channel, publication);
  }
}
