package org.robustws.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.robustws.cluster.NodeCommand;
import org.robustws.cluster.Peers;
import org.robustws.cluster.ThisNode;
import org.robustws.connection.ConnectionManager;
import org.robustws.connection.ConnectionSnapshot;

/**
 * The admin API's view of every node of a cluster: this node's connections and figures, and those
 * of each other node that answers within 2 s. Answers travel as JSON. On a lone server it is this
 * node's alone.
 */
@ApplicationScoped
public class ClusterAdmin {
  @Inject ConnectionManager manager;
  @Inject StatsService stats;
  @Inject Peers peers;

  /** This node's name in the cluster. */
  public String localName() {
    return peers.localName();
  }

  /** Every node's open connections, oldest first, each naming its node. */
  public List<ConnectionSnapshot> snapshots() {
    Peers.Answers<String> others = peers.ask(new Snapshots());
    List<ConnectionSnapshot> all = new ArrayList<>(local(manager.snapshots()));
    for (String json : others.await()) {
      all.addAll(parseList(json));
    }
    all.sort(Comparator.comparingLong(ConnectionSnapshot::connectedAt));
    return all;
  }

  /** The open connection {@code id}, on whichever node holds it. */
  public Optional<ConnectionSnapshot> find(String id) {
    Optional<ConnectionSnapshot> here = manager.find(id).map(s -> s.on(peers.localName()));
    if (here.isPresent()) {
      return here;
    }
    return peers.ask(new Snapshot(id)).await().stream().findFirst().map(ClusterAdmin::parse);
  }

  /** Closes the connection on whichever node holds it. @return false if none that answered did */
  public boolean close(String id, int code, String reason) {
    return manager.close(id, code, reason)
        || peers.ask(new Close(id, code, reason)).await().contains(true);
  }

  /** Each node's figures, by node name, this one's included. */
  public Map<String, Stats> statsByNode() {
    Peers.Answers<String> others = peers.ask(new NodeStats());
    Map<String, Stats> byNode = new TreeMap<>();
    byNode.put(peers.localName(), stats.stats());
    for (String json : others.await()) {
      NamedStats named = withJsonb(jsonb -> jsonb.fromJson(json, NamedStats.class));
      byNode.put(named.node(), named.stats());
    }
    return byNode;
  }

  private List<ConnectionSnapshot> local(List<ConnectionSnapshot> snapshots) {
    String node = peers.localName();
    return snapshots.stream().map(s -> s.on(node)).toList();
  }

  private static String toJson(Object value) {
    return withJsonb(jsonb -> jsonb.toJson(value));
  }

  private static ConnectionSnapshot parse(String json) {
    return withJsonb(jsonb -> jsonb.fromJson(json, ConnectionSnapshot.class));
  }

  private static List<ConnectionSnapshot> parseList(String json) {
    return withJsonb(jsonb -> List.of(jsonb.fromJson(json, ConnectionSnapshot[].class)));
  }

  /** Runs {@code use} with a JSON-B instance of its own (admin calls are rare), then closes it. */
  private static <T> T withJsonb(Function<Jsonb, T> use) {
    try (Jsonb jsonb = JsonbBuilder.create()) {
      return use.apply(jsonb);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A node's figures with its name, as one node sends them to another. */
  public record NamedStats(String node, Stats stats) {}

  /** Another node's open connections, JSON. */
  public record Snapshots() implements NodeCommand<String> {
    @Override
    public String execute(ThisNode node) {
      String name = node.name();
      return toJson(node.connections().snapshots().stream().map(s -> s.on(name)).toList());
    }
  }

  /** One connection, JSON, or null if the node does not hold it open. */
  public record Snapshot(String id) implements NodeCommand<String> {
    @Override
    public String execute(ThisNode node) {
      return node.connections().find(id).map(s -> toJson(s.on(node.name()))).orElse(null);
    }
  }

  /** Closes a connection if the node holds it open. */
  public record Close(String id, int code, String reason) implements NodeCommand<Boolean> {
    @Override
    public Boolean execute(ThisNode node) {
      return node.connections().close(id, code, reason);
    }
  }

  /** Another node's figures, JSON of {@link NamedStats}. */
  public record NodeStats() implements NodeCommand<String> {
    @Override
    public String execute(ThisNode node) {
      return toJson(new NamedStats(node.name(), node.stats().stats()));
    }
  }
}
