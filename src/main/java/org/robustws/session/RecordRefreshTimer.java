package org.robustws.session;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.inject.Inject;
import org.robustws.logging.WsLog;

/**
 * Runs {@link SessionStore#refreshRecords} every minute, each tick on the next share of the held
 * sessions: every held session's record is rewritten once per {@link SessionStore#REFRESH_TICKS}
 * minutes, within half of its lifespan. Not persistent; ticks never overlap (the singleton's write
 * lock).
 */
@Singleton
@Startup
public class RecordRefreshTimer {
  private static final long TICK_MS = 60_000;

  @Resource TimerService timerService;
  @Inject SessionStore sessions;
  private long tick;

  @PostConstruct
  void start() {
    timerService.createIntervalTimer(
        TICK_MS, TICK_MS, new TimerConfig("session record refresh", false));
  }

  @Timeout
  void tick() {
    try {
      sessions.refreshRecords(tick++);
    } catch (RuntimeException e) {
      // an exception would make the container retry the tick; the next one comes anyway
      WsLog.LOG.recordRefreshFailed(e);
    }
  }
}
