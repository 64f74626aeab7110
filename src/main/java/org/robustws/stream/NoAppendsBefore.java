package org.robustws.stream;

import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.ThisNode;

/**
 * Asks another node to answer once it has no append under way from a topology of the streams cache
 * before this one ({@link TopologyFence#awaitNoneBefore}); the answer is whether it came in time.
 */
public record NoAppendsBefore(int topology) implements NodeCommand<Boolean> {

  @Override
  public Boolean execute(ThisNode node) {
    return node.fence().awaitNoneBefore(topology);
  }
}
