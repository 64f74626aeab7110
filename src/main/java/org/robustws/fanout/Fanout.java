package org.robustws.fanout;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonValue;
import java.io.Serializable;
import java.util.ArrayList;
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
import java.util.function.Supplier;
import org.robustws.cluster.Peers;
import org.robustws.connection.ConnectionManager;
import org.robustws.protocol.Channels;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.ChannelStreams.Appended;
import org.robustws.stream.ChannelStreams.Publication;
import org.robustws.stream.StreamEntry;

/**
 * Where everything sent to more than one connection goes out: a publication, a broadcast, and a
 * direct message to a connection that may be on another node.
 *
 * <p>A publication's way: to the node that appends its channel ({@link ChannelStreams#appender},
 * the owner of the channel's head; {@link ToAppender} from any other node), appended there once to
 * the channel's stream, committed on every node before anyone gets it, together with the
 * publications waiting there for the same channel ({@link GroupCommit}); then the other nodes of a
 * cluster are told with one command per batch ({@link ToSubscribers}) and give the batch to their
 * sessions while the appending node gives it to its own ({@link LocalFanout}). Each session takes a
 * channel's offsets in order, once, reading back from the stream any it has not had: so notices
 * that cross or get lost cost no event (the next one repairs it), and a session that no connection
 * holds gets it from the stream when it resumes.
 *
 * <p>The head's lock orders a channel's appends whichever node makes them; appending on its owner
 * keeps that lock on one node. A node that stops appends nothing after it has answered the appends
 * it took ({@link #stop}): the channels it owned wait until the cache's topology names another
 * owner, so no append holds its locks when it leaves. A publication sent to a node that did not
 * answer because it had no dispatcher or left the view is sent again, with a key of its own if it
 * had none: so it is not appended twice, also when that node appended it and then died.
 */
@ApplicationScoped
public class Fanout {
  /** How long a publication waits for a node that appends its channel. */
  static final long APPENDER_WAIT_MS = 10_000;

  /**
   * How long a publication waits for the appending node's answer: its transaction, plus the 2 s it
   * may wait for the other nodes' counts.
   */
  static final long APPENDER_ANSWER_MS = 15_000;

  private ChannelStreams streams;
  private GroupCommit<Publication, Published> appends;
  private LocalFanout local;
  private ConnectionManager connections;
  private Peers peers;
  private final AtomicInteger appending = new AtomicInteger();
  private volatile boolean stopped;

  /** For the CDI proxy only. */
  protected Fanout() {}

  @Inject
  public Fanout(
      ChannelStreams streams, LocalFanout local, ConnectionManager connections, Peers peers) {
    this.streams = streams;
    this.appends = new GroupCommit<>(this::appendAndTell);
    this.local = local;
    this.connections = connections;
    this.peers = peers;
  }

  /** Where a publication went ({@link Appended}), and the sessions it was given to. */
  public record Published(String epoch, long offset, boolean repeated, int delivered)
      implements Serializable {}

  /**
   * @return where it went, and the sessions it was given to on every node that answered within 2 s;
   *     none if it {@link Appended#repeated repeated} an earlier publication
   * @throws IllegalArgumentException if the channel name is not valid
   * @throws IllegalStateException if no node appended it within {@value #APPENDER_WAIT_MS} ms, or
   *     the appending node did not answer within {@value #APPENDER_ANSWER_MS} ms (then it may have
   *     been appended)
   */
  public Published publish(String channel, Publication publication) {
    if (!Channels.isValid(channel)) {
      throw new IllegalArgumentException("invalid channel name");
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(APPENDER_WAIT_MS);
    Publication sending = publication;
    for (long pause = 1; ; pause = Math.min(2 * pause, 64)) {
      Optional<String> appender = streams.appender(channel);
      if (appender.isPresent() && sending.key() == null) {
        // a publication sent again after a lost answer is then not appended twice
        sending = sending.withKey(forwardKey());
      }
      ToAppender command = new ToAppender(channel, sending);
      Optional<CompletionStage<Published>> sent =
          appender.flatMap(node -> peers.askOne(node, command));
      // an owner that is not in the view has left: it appends nothing any more
      Published published =
          sent.isPresent() ? answer(appender.get(), sent.get()) : appendHere(channel, sending);
      if (published != null) {
        return published;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("no node appends channel " + channel);
      }
      sleep(pause);
    }
  }

  /**
   * Appends on this node, unless it has {@link #stop stopped} appending.
   *
   * @return null if it has
   */
  public Published appendHere(String channel, Publication publication) {
    appending.incrementAndGet();
    try {
      return stopped ? null : appends.submit(channel, publication);
    } finally {
      appending.decrementAndGet();
    }
  }

  /**
   * Stops appending when the application stops, and waits for the appends under way: so that this
   * node holds no head's lock when its caches leave the cluster (a lock the leaver held for another
   * node's transaction can be lost then, and two appends get one offset).
   */
  @PreDestroy
  void stop() {
    stopped = true;
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(APPENDER_ANSWER_MS);
    while (appending.get() > 0 && System.nanoTime() - deadline < 0) {
      sleep(5);
    }
  }

  /**
   * @return null if the node did not run it (no dispatcher, stopped appending) or left the view
   */
  private static Published answer(String node, CompletionStage<Published> sent) {
    try {
      return sent.toCompletableFuture().get(APPENDER_ANSWER_MS, TimeUnit.MILLISECONDS);
    } catch (CancellationException e) {
      return null;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException cause
          ? cause
          : new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(node + " did not answer an append in time");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** A key of no session's: those are a session's id, a colon and the publication's id. */
  private static String forwardKey() {
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

  /**
   * Appends a batch and sends what it stored to the other nodes while the channel's turn is held
   * (so this node's notices of one channel leave in offset order); gives it to this node's sessions
   * and waits for the others' counts after.
   */
  private Supplier<List<Published>> appendAndTell(String channel, List<Publication> batch) {
    List<Appended> appended = streams.appendAll(channel, batch);
    List<StreamEntry> stored =
        appended.stream().map(Appended::entry).filter(Objects::nonNull).toList();
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

  /**
   * Sends {@code broadcast} to every open connection of both endpoints, on every node.
   *
   * @return the connections it went to, on every node that answered within 2 s
   */
  public int broadcast(JsonValue data) {
    Peers.Answers<Integer> others = peers.ask(new ToEveryone(data.toString()));
    int total = connections.broadcast(data);
    for (int there : others.await()) {
      total += there;
    }
    return total;
  }

  /**
   * Sends {@code direct} to one connection, on whichever node holds it.
   *
   * @return false if no node that answered holds it open
   */
  public boolean sendTo(String connectionId, JsonValue data) {
    return connections.sendTo(connectionId, data)
        || peers.ask(new ToConnection(connectionId, data.toString())).await().contains(true);
  }
}
