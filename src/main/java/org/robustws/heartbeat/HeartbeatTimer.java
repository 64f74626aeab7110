package org.robustws.heartbeat;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.Timeout;
import jakarta.ejb.TimerConfig;
import jakarta.ejb.TimerService;
import jakarta.inject.Inject;
import org.robustws.config.WsSettings;
import org.robustws.logging.WsLog;

/**
 * Drives the heartbeat. The timer is not persistent: a tick missed while the server was down means
 * nothing, and a persistent timer would fire a burst of them at the next start. Ticks never overlap
 * (the singleton's write lock), and a tick only starts asynchronous pings, so it never waits on a
 * client. A tick comes every second and pings only the connections whose interval has passed.
 */
@Singleton
@Startup
public class HeartbeatTimer {

  @Resource TimerService timerService;
  @Inject HeartbeatSweep sweep;
  @Inject WsSettings settings;

  @PostConstruct
  void start() {
    long tick = settings.heartbeatTickMs();
    timerService.createIntervalTimer(tick, tick, new TimerConfig("heartbeat", false));
    WsLog.LOG.heartbeatStarted(settings.heartbeatIntervalMs(), settings.heartbeatTimeoutMs());
  }

  @Timeout
  void tick() {
    try {
      HeartbeatSweep.Result result = sweep.tick();
      WsLog.LOG.heartbeatTick(result.pinged(), result.timedOut());
    } catch (RuntimeException e) {
      // an exception would make the container retry the tick; the next one comes anyway
      WsLog.LOG.heartbeatFailed(e);
    }
  }
}
