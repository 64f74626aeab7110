package org.robustws.stream;

import java.io.Serializable;
import java.util.Arrays;
import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.ThisNode;

/**
 * Asks another node for its own copy of some keys of the streams cache ({@link OtherCopies}); the
 * answer names the node and holds each key's value, {@code null} where it holds none.
 */
public record CopiesOf(String[] keys) implements NodeCommand<CopiesOf.Copies> {

  /** One node's copies, in the order of the keys asked for. */
  public record Copies(String node, String[] values) implements Serializable {}

  @Override
  public Copies execute(ThisNode node) {
    return new Copies(
        node.name(), node.streams().localCopies(Arrays.asList(keys)).toArray(String[]::new));
  }
}
