package org.robustws.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionClosed;
import org.robustws.connection.ConnectionManager;

/**
 * Keeps the one {@link StatsCollector} of the deployment. Created when the application starts, so
 * the uptime and the message totals count from then; observes closed connections so their messages
 * stay in the totals.
 */
@ApplicationScoped
public class StatsService {
  /** Rates are averaged over at least this long, so that two quick calls do not give noise. */
  static final long MIN_WINDOW_MILLIS = 1_000;

  private final ConnectionManager manager;
  private final Clock clock;
  private final StatsCollector collector;

  /** For the CDI proxy only. */
  protected StatsService() {
    this.manager = null;
    this.clock = null;
    this.collector = null;
  }

  @Inject
  public StatsService(ConnectionManager manager, Clock clock) {
    this.manager = manager;
    this.clock = clock;
    this.collector = new StatsCollector(clock.millis(), MIN_WINDOW_MILLIS);
  }

  /** Creates this bean with the application, not at the first stats call. */
  void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
    // nothing else to do: the constructor took the start time
  }

  void closed(@Observes ConnectionClosed event) {
    collector.closed(event.connection());
  }

  public Stats stats() {
    // unsorted: the figures need no order
    return collector.collect(
        clock.millis(),
        () -> manager.connections().stream().map(Connection::snapshot).toList(),
        manager.isDraining());
  }
}
