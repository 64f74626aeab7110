package org.robustws.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.infinispan.configuration.cache.Configuration;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.factories.GlobalComponentRegistry;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.remoting.transport.Transport;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;

/**
 * Infinispan nodes of one cluster in the test JVM, as cluster nodes are: JGroups over TCP on
 * loopback, node {@code index} on port 7650 + index (0 to 2), found with TCPPING
 * (jgroups-loopback.xml).
 */
public final class LoopbackNodes {
  private LoopbackNodes() {}

  /** Starts node {@code index} with the one cache {@code name}, named node-index. */
  public static DefaultCacheManager start(int index, String name, Configuration config) {
    String stack;
    try (InputStream xml = LoopbackNodes.class.getResourceAsStream("/jgroups-loopback.xml")) {
      stack = new String(xml.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GlobalConfigurationBuilder global = GlobalConfigurationBuilder.defaultClusteredBuilder();
    global
        .transport()
        .nodeName("node-" + index)
        .addProperty(
            JGroupsTransport.CONFIGURATION_XML,
            stack.replace("bind_port=\"7650\"", "bind_port=\"" + (7650 + index) + "\""));
    DefaultCacheManager node = new DefaultCacheManager(global.build(), false);
    node.defineConfiguration(name, config);
    node.start();
    return node;
  }

  /** The node's JGroups channel. */
  public static JChannel group(DefaultCacheManager node) {
    return ((JGroupsTransport) GlobalComponentRegistry.componentOf(node, Transport.class))
        .getChannel();
  }

  /**
   * Waits until the cache {@code name} of every one of {@code nodes} has {@code size} members in
   * its topology (so each node's view of who owns a key counts them all), at most 10 s.
   */
  public static void awaitMembers(Iterable<DefaultCacheManager> nodes, String name, int size)
      throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    for (DefaultCacheManager node : nodes) {
      while (node.getCache(name)
              .getAdvancedCache()
              .getDistributionManager()
              .getCacheTopology()
              .getMembers()
              .size()
          < size) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(node.getAddress() + ": fewer than " + size + " members in 10 s");
        }
        Thread.sleep(20);
      }
    }
  }
}
