package org.robustws.fanout;

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
 * Runs {@link LocalFanout#catchUp} every second: a lost notice is repaired by the channel's next
 * event or, if none comes, within about two seconds. Not persistent, ticks never overlap (the
 * singleton's write lock); a tick reads one head per channel listened to here from this node's copy
 * of the streams.
 */
@Singleton
@Startup
public class CatchUpTimer {
  private static final long TICK_MS = 1_000;

  @Resource TimerService timerService;
  @Inject LocalFanout fanout;

  @PostConstruct
  void start() {
    timerService.createIntervalTimer(TICK_MS, TICK_MS, new TimerConfig("fan-out catch-up", false));
  }

  @Timeout
  void tick() {
    try {
      fanout.catchUp();
    } catch (RuntimeException e) {
      // an exception would make the container retry the tick; the next one comes anyway
      WsLog.LOG.catchUpFailed(e);
    }
  }
}
