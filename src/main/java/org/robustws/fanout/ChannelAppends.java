package org.robustws.fanout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.robustws.cluster.Peers;
import org.robustws.fanout.Fanout.Published;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.ChannelStreams.Appended;
import org.robustws.stream.ChannelStreams.Publication;
import org.robustws.stream.StreamEntry;

/**
 * Where a channel's publications are appended: on the node that owns the channel's head ({@link
 * ChannelStreams#appender}, the head's primary owner, which grants its lock), so the lock is always
 * a local one and one transaction holds the publications of every node. Publications wait for their
 * channel on each node ({@link GroupCommit}); a batch is appended where it waits, or sent to the
 * owner in one command ({@link ToAppender}), where it joins the batch waiting there. A lane holds
 * its channel's turn until the owner answers: what arrives meanwhile forms the next batch.
 *
 * <p>A node that stops appends nothing after the appends under way ({@link #stop}) and answers a
 * batch sent to it with a refusal: the batch is sent again once the cache's topology names another
 * owner. So no append holds a head's lock when a node's caches leave the cluster (a lock the leaver
 * held for another node's transaction can be lost then, and two appends got one offset). A batch
 * whose owner did not answer because it had no dispatcher (not yet or no longer deployed) or left
 * the view is sent again too, each publication with a key of its own if it had none: so none is
 * appended twice, also when the owner appended it and died before answering. An owner that left the
 * view appends nothing any more: its channels are appended where their publications wait.
 */
final class ChannelAppends {
  /** How long a batch waits for a node that appends its channel. */
  static final long APPENDER_WAIT_MS = 10_000;

  /**
   * How long a batch waits for the owner's answer: its transaction, plus the 2 s it may wait for
   * the other nodes' counts. After that its outcome is unknown, and it is not sent again.
   */
  static final long APPENDER_ANSWER_MS = 15_000;

  private final ChannelStreams streams;
  private final LocalFanout local;
  private final Peers peers;
  private final GroupCommit<Publication, Published> lanes;
  private final AtomicInteger appending = new AtomicInteger();
  private final LongAdder appendCount = new LongAdder();
  private final LongAdder forwardCount = new LongAdder();
  private volatile boolean stopped;

  ChannelAppends(ChannelStreams streams, LocalFanout local, Peers peers) {
    this.streams = streams;
    this.local = local;
    this.peers = peers;
    this.lanes = new GroupCommit<>(this::appendOrSend);
  }

  /**
   * @return where it went, and the sessions it was given to
   * @throws IllegalStateException if no node appended it in time, or this node is stopping
   */
  Published publish(String channel, Publication publication) {
    Published published = lanes.submit(channel, publication);
    if (published == null) {
      throw new IllegalStateException("this node is stopping");
    }
    return published;
  }

  /**
   * A batch another node sent: appended with the publications waiting here for its channel.
   *
   * @return null if this node has stopped appending
   */
  Published[] appendSent(String channel, Publication[] batch) {
    if (stopped) {
      return null;
    }
    List<Published> published = lanes.submitAll(channel, Arrays.asList(batch));
    return published.contains(null) ? null : published.toArray(Published[]::new);
  }

  /** See the class comment. */
  void stop() {
    stopped = true;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(APPENDER_ANSWER_MS);
    while (appending.get() > 0 && System.nanoTime() - deadline < 0) {
      sleep(5);
    }
  }

  long appended() {
    return appendCount.sum();
  }

  long forwarded() {
    return forwardCount.sum();
  }

  /**
   * A lane's batch, while the channel's turn is held: appended here, or sent to the channel's owner
   * and its answer awaited, so the publications that arrive meanwhile form the next batch. A batch
   * refused or cancelled is sent again to the owner of the moment, or appended here if that is this
   * node or the owner has left the view.
   */
  private Supplier<List<Published>> appendOrSend(String channel, List<Publication> batch) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(APPENDER_WAIT_MS);
    for (long pause = 1; ; pause = Math.min(2 * pause, 64)) {
      Optional<String> owner = streams.appender(channel);
      Optional<CompletionStage<Published[]>> sent = Optional.empty();
      if (owner.isPresent()) {
        batch = withKeys(batch);
        sent = send(owner.get(), channel, batch);
      }
      if (sent.isEmpty()) {
        return appendHere(channel, batch);
      }
      Published[] answer = answer(owner.get(), sent.get());
      if (answer != null) {
        List<Published> published = Arrays.asList(answer);
        return () -> published;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("no node appends channel " + channel);
      }
      sleep(pause);
    }
  }

  /** Appends the batch, unless this node has stopped appending: then each result is null. */
  private Supplier<List<Published>> appendHere(String channel, List<Publication> batch) {
    appending.incrementAndGet();
    try {
      if (stopped) {
        List<Published> refused = Collections.nCopies(batch.size(), null);
        return () -> refused;
      }
      return appendAndTell(channel, batch);
    } finally {
      appending.decrementAndGet();
    }
  }

  private Optional<CompletionStage<Published[]>> send(
      String owner, String channel, List<Publication> batch) {
    Optional<CompletionStage<Published[]>> sent =
        peers.askOne(owner, new ToAppender(channel, batch.toArray(Publication[]::new)));
    sent.ifPresent(stage -> forwardCount.add(batch.size()));
    return sent;
  }

  /**
   * @return null if the owner did not run it (no dispatcher, stopped appending) or left the view
   */
  private static Published[] answer(String owner, CompletionStage<Published[]> sent) {
    try {
      return sent.toCompletableFuture().get(APPENDER_ANSWER_MS, TimeUnit.MILLISECONDS);
    } catch (CancellationException e) {
      return null;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException cause
          ? cause
          : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(owner + " did not answer an append in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /**
   * Appends a batch and sends what it stored to the other nodes while the channel's turn is held
   * (so this node's notices of one channel leave in offset order); gives it to this node's sessions
   * and waits for the others' counts after.
   */
  private Supplier<List<Published>> appendAndTell(String channel, List<Publication> batch) {
    List<Appended> appended = streams.appendAll(channel, batch);
    List<StreamEntry> stored =
        appended.stream().map(Appended::entry).filter(Objects::nonNull).toList();
    appendCount.add(stored.size());
    Peers.Answers<int[]> others = stored.isEmpty() ? null : peers.ask(ToSubscribers.of(stored));
    return () -> {
      int[] delivered = stored.isEmpty() ? new int[0] : local.deliverAll(stored);
      if (others != null) {
        for (int[] there : others.await()) {
          for (int i = 0; i < delivered.length; i++) {
            delivered[i] += there[i];
          }
        }
      }
      List<Published> published = new ArrayList<>(appended.size());
      int next = 0;
      for (Appended a : appended) {
        int sessions = a.repeated() ? 0 : delivered[next++];
        published.add(new Published(a.epoch(), a.offset(), a.repeated(), sessions));
      }
      return published;
    };
  }

  /** The batch, each publication with a key: its own, or one of no session's. */
  private static List<Publication> withKeys(List<Publication> batch) {
    List<Publication> keyed = new ArrayList<>(batch.size());
    for (Publication publication : batch) {
      keyed.add(publication.key() != null ? publication : publication.withKey(newKey()));
    }
    return keyed;
  }

  /** A session's keys are its id, a colon and the publication's id. */
  private static String newKey() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "~" + new UUID(random.nextLong(), random.nextLong());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }
}
