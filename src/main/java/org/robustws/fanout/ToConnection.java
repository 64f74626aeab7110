package org.robustws.fanout;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import java.io.StringReader;
import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.ThisNode;

/** A {@code direct} message for a connection another node may hold; true if this one did. */
public record ToConnection(String connectionId, String json) implements NodeCommand<Boolean> {

  @Override
  public Boolean execute(ThisNode node) {
    try (JsonReader reader = Json.createReader(new StringReader(json))) {
      return node.connections().sendTo(connectionId, reader.readValue());
    }
  }
}
