package org.robustws.fanout;

import jakarta.json.Json;
import jakarta.json.JsonReader;
import java.io.StringReader;
import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.ThisNode;

/** A {@code broadcast} for the connections of another node; the answer is how many it went to. */
public record ToEveryone(String json) implements NodeCommand<Integer> {

  @Override
  public Integer execute(ThisNode node) {
    try (JsonReader reader = Json.createReader(new StringReader(json))) {
      return node.connections().broadcast(reader.readValue());
    }
  }
}
