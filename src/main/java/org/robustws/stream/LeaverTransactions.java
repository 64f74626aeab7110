package org.robustws.stream;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.infinispan.AdvancedCache;
import org.infinispan.Cache;
import org.infinispan.factories.ComponentRegistry;
import org.infinispan.remoting.transport.Address;
import org.infinispan.transaction.impl.TransactionTable;
import org.robustws.logging.WsLog;

/**
 * Frees the channel heads that a node killed during an append left locked here. Its one-phase
 * commit makes a transaction on every other node that holds the head's lock until it completes;
 * when its node dies first, Infinispan rolls it back on the view change only if the last stable
 * topology no longer lists that node ({@code PartitionHandlingManagerImpl
 * .canRollbackTransactionAfterOriginatorLeave}, with {@code DENY_READ_WRITES}). After a crash the
 * stable topology is updated after that check, and nothing checks again until the next change of
 * members: the channel's appends wait for the lock and fail (ISPN000299) until then ({@code
 * TopologyFenceTest} stops a node while its append holds the lock). Every two seconds this asks
 * Infinispan to run its own check again ({@link TransactionTable#cleanupLeaverTransactions}) while
 * a transaction of a node outside the view is left: it rolls back what its rule allows (cache
 * available, stable topology without the node) and keeps the rest, as on a view change.
 */
@Singleton
@Startup
public class LeaverTransactions {
  private static final long TICK_MS = 2_000;

  @Resource(lookup = "java:jboss/infinispan/cache/ws/streams")
  Cache<String, String> cache;

  @Resource TimerService timerService;

  /** Left transactions the last tick found: each new count is logged once. */
  private int lastOrphans;

  @PostConstruct
  void start() {
    if (cache.getAdvancedCache().getRpcManager() != null) { // clustered: ticks only there
      timerService.createIntervalTimer(
          TICK_MS, TICK_MS, new TimerConfig("leaver transactions", false));
    }
  }

  @Timeout
  void tick() {
    try {
      // WildFly's cache behind the lazy one is an InternalCache, which has the component registry
      AdvancedCache<String, String> streams = cache.getAdvancedCache();
      TransactionTable transactions =
          ComponentRegistry.componentOf(streams, TransactionTable.class);
      if (transactions.getRemoteTxCount() == 0) {
        lastOrphans = 0;
        return;
      }
      List<Address> members = streams.getRpcManager().getTransport().getMembers();
      Set<Address> present = new HashSet<>(members);
      int orphans =
          (int)
              transactions.getRemoteTransactions().stream()
                  .filter(tx -> !present.contains(tx.getGlobalTransaction().getAddress()))
                  .count();
      if (orphans > 0 && orphans != lastOrphans) {
        WsLog.LOG.leaverTransactions(orphans);
      }
      lastOrphans = orphans;
      if (orphans > 0) {
        transactions.cleanupLeaverTransactions(members);
      }
    } catch (RuntimeException e) {
      WsLog.LOG.leaverCheckFailed(e);
    }
  }
}
