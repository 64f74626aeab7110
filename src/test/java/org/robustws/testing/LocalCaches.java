package org.robustws.testing;

import java.nio.file.Path;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.transaction.LockingMode;

/**
 * A real embedded Infinispan configured like the server's container {@code ws}
 * (wildfly-config/configure-infinispan.cli): local caches, {@code streams} with batching and
 * pessimistic locks, {@code sessions} without transactions, and a file store under {@code dir} when
 * one is given, so a test can stop and start it like a server.
 */
public final class LocalCaches implements AutoCloseable {
  private final DefaultCacheManager manager;
  private final Path dir;

  public LocalCaches(Path dir) {
    this.dir = dir;
    GlobalConfigurationBuilder global = new GlobalConfigurationBuilder().nonClusteredDefault();
    if (dir != null) {
      global.globalState().enable().persistentLocation(dir.toString());
    }
    this.manager = new DefaultCacheManager(global.build());
  }

  /** A cache like {@code ws/streams} or {@code ws/sessions}. */
  public Cache<String, String> cache(String name) {
    ConfigurationBuilder builder = new ConfigurationBuilder();
    if (!name.equals("sessions")) {
      builder.invocationBatching().enable();
      builder.transaction().lockingMode(LockingMode.PESSIMISTIC);
    }
    if (dir != null) {
      builder
          .persistence()
          .addSoftIndexFileStore()
          .dataLocation(dir.resolve(name).resolve("data").toString())
          .indexLocation(dir.resolve(name).resolve("index").toString())
          .purgeOnStartup(false);
    }
    manager.defineConfiguration(name, builder.build());
    return manager.getCache(name);
  }

  @Override
  public void close() {
    manager.stop();
  }
}
