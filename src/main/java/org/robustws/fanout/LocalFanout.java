package org.robustws.fanout;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.robustws.channel.ChannelRegistry;
import org.robustws.logging.WsLog;
import org.robustws.session.ClientSession;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.StreamEntry;
import org.robustws.stream.StreamPosition;

/**
 * Gives committed events to the sessions of this node subscribed to their channel, each channel's
 * in offset order ({@link ChannelOrder}). The sessions are given an event on the threads that write
 * their sockets, one task per thread: there a flushed frame is written at once, from any other
 * thread each flush would be a task handed to that thread.
 */
@ApplicationScoped
public class LocalFanout {
  /**
   * How long a publication waits for the io threads to queue it: they never block, but may stop.
   */
  private static final long DELIVERY_WAIT_SECONDS = 30;

  /** How long an event waits for those before it before they are read from the stream. */
  private static final long HOLD_MILLIS = 1_000;

  private ChannelStreams streams;
  private SessionStore sessions;
  private ChannelRegistry channels;
  private Clock clock;
  private ChannelOrder order;

  /** For the CDI proxy only. */
  protected LocalFanout() {}

  @Inject
  public LocalFanout(
      ChannelStreams streams, SessionStore sessions, ChannelRegistry channels, Clock clock) {
    this.streams = streams;
    this.sessions = sessions;
    this.channels = channels;
    this.clock = clock;
    this.order =
        new ChannelOrder(
            this::giveOut,
            this::startOf,
            sessions::listened,
            streams::readAfter,
            streams::head,
            HOLD_MILLIS);
  }

  /**
   * Gives the event out in its turn: once every event of its channel before it has been.
   *
   * @return the number of sessions given it
   */
  public int deliver(StreamEntry entry) {
    return order.offer(entry);
  }

  /**
   * Gives consecutive events of one channel out, each in its turn.
   *
   * @return for each, the number of sessions given it
   */
  public int[] deliverAll(List<StreamEntry> entries) {
    return order.offer(entries);
  }

  /**
   * Gives out the events whose notice never came and that no later event brought: the stream of
   * each channel listened to here is read beyond where its lane stands ({@link
   * ChannelOrder#catchUp}). {@link CatchUpTimer} calls it every second.
   */
  public void catchUp() {
    order.catchUp(channels.channels(), clock.millis());
  }

  /** The earliest position of the channel's subscribers here, if it has any. */
  private Optional<StreamPosition> startOf(String channel) {
    return sessions.heldSubscribers(channel).stream()
        .map(session -> session.position(channel))
        .flatMap(Optional::stream)
        .min(Comparator.comparingLong(StreamPosition::offset));
  }

  /**
   * Hands the event to the threads that write its subscribers' sockets, one task per thread. A
   * caller that is such a thread itself (an io thread) gives it to all of them at once instead: it
   * must not wait for another io thread, which might be waiting for it.
   */
  private Delivery giveOut(StreamEntry entry) {
    Map<Executor, List<ClientSession>> byWriter = new HashMap<>();
    for (ClientSession session : sessions.heldSubscribers(entry.channel())) {
      Executor writer = session.writer();
      if (writer != null) {
        byWriter.computeIfAbsent(writer, w -> new ArrayList<>()).add(session);
      }
    }
    int delivered = 0;
    boolean onWriter = Thread.currentThread() instanceof Executor;
    CountDownLatch queued = new CountDownLatch(onWriter ? 0 : byWriter.size());
    for (Map.Entry<Executor, List<ClientSession>> group : byWriter.entrySet()) {
      List<ClientSession> subscribers = group.getValue();
      delivered += subscribers.size();
      Runnable give =
          () -> {
            try {
              subscribers.forEach(session -> deliverTo(session, entry));
            } finally {
              queued.countDown();
            }
          };
      if (onWriter) {
        give.run();
      } else {
        try {
          group.getKey().execute(give);
        } catch (RejectedExecutionException stopping) {
          give.run();
        }
      }
    }
    return new Handed(entry, delivered, queued);
  }

  /** An event handed to the io threads, and the latch they count down once they queued it. */
  private record Handed(StreamEntry entry, int sessions, CountDownLatch queued)
      implements Delivery {
    @Override
    public void awaitQueued() {
      try {
        if (!queued.await(DELIVERY_WAIT_SECONDS, TimeUnit.SECONDS)) {
          WsLog.LOG.deliveryStalled(entry.channel(), entry.offset(), DELIVERY_WAIT_SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the deliveries go on; only the wait for them ends
      }
    }
  }

  /** One session's failure is its own: the others of its group still get the event. */
  private void deliverTo(ClientSession session, StreamEntry entry) {
    try {
      session.deliver(entry, streams);
    } catch (RuntimeException e) {
      WsLog.LOG.deliveryFailed(session.id(), entry.channel(), entry.offset(), e);
    }
  }
}
