package org.robustws.cluster;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.robustws.admin.StatsService;
import org.robustws.connection.ConnectionManager;
import org.robustws.fanout.LocalFanout;
import org.robustws.logging.WsLog;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.TopologyFence;
import org.wildfly.clustering.server.GroupMember;
import org.wildfly.clustering.server.dispatcher.CommandDispatcher;
import org.wildfly.clustering.server.dispatcher.CommandDispatcherFactory;

/**
 * The other nodes of this server's cluster, through WildFly's clustering API. Its default group is
 * the JGroups channel on a cluster node (cluster/configure-node.cli) and the local group, of this
 * node alone, on a lone server: there every call returns at once with no answer.
 *
 * <p>Every node creates its dispatcher when the application starts: a member that has not (yet, or
 * no longer: it is being deployed or undeployed) answers a command with a cancellation, counted as
 * no answer.
 */
@ApplicationScoped
public class Peers {
  /**
   * How long {@link Answers#await} waits for the other nodes. A node that has not answered by then
   * counts as no answer; what the command asked still happens there.
   */
  static final long ANSWER_WAIT_MS = 2_000;

  private static final String DISPATCHER_ID = "robust-websocket";

  @Resource(lookup = "java:jboss/clustering/server/command-dispatcher-factory/default")
  CommandDispatcherFactory<GroupMember> factory;

  @Inject LocalFanout fanout;
  @Inject ConnectionManager connections;
  @Inject SessionStore sessions;
  @Inject StatsService stats;
  @Inject TopologyFence fence;
  @Inject ChannelStreams streams;
  @Inject Clock clock;

  private CommandDispatcher<GroupMember, ThisNode> dispatcher;

  void start(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
    dispatcher =
        factory.createCommandDispatcher(
            DISPATCHER_ID,
            new ThisNode(localName(), fanout, connections, sessions, stats, fence, streams, clock),
            Peers.class.getClassLoader());
  }

  @PreDestroy
  void stop() {
    if (dispatcher != null) {
      fence.close(); // the others count a node without a dispatcher as one without appends
      dispatcher.close();
    }
  }

  /** This node's name in the cluster ({@code jboss.node.name}). */
  public String localName() {
    return factory.getGroup().getLocalMember().getName();
  }

  /**
   * The members of the cluster's current view, this node included (1 on a lone server), oldest
   * first: the first is the coordinator.
   */
  public List<String> members() {
    return factory.getGroup().getMembership().getMembers().stream()
        .map(GroupMember::getName)
        .toList();
  }

  /**
   * Whether this node is the view's coordinator (its oldest member; true on a lone server). When it
   * stops, the next oldest takes over: Infinispan then gathers the caches' state from every member.
   */
  public boolean coordinator() {
    return factory
        .getGroup()
        .getMembership()
        .getCoordinator()
        .equals(factory.getGroup().getLocalMember());
  }

  /** Whether other nodes may hold connections or sessions: false on a lone server. */
  public boolean alone() {
    return factory.getGroup().getMembership().getMembers().size() < 2;
  }

  /**
   * Sends the command to every other node of the current view, without waiting.
   *
   * @return their answers, to {@link Answers#await} or to ignore
   */
  public <R> Answers<R> ask(NodeCommand<R> command) {
    if (dispatcher == null || alone()) {
      return new Answers<>(Map.of(), member -> false);
    }
    try {
      Map<GroupMember, CompletionStage<R>> sent =
          dispatcher.dispatchToGroup(command, Set.of(factory.getGroup().getLocalMember()));
      return new Answers<>(
          Map.copyOf(sent),
          member -> factory.getGroup().getMembership().getMembers().contains(member));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends the command to every other node of the current view and waits for all of them.
   *
   * @return whether each answered true within {@code waitMs} ({@link Answers#allTrue})
   */
  public boolean allAnswerTrue(NodeCommand<Boolean> command, long waitMs) {
    return ask(command).allTrue(waitMs);
  }

  /** The answers of the other nodes to one command. */
  public static final class Answers<R> {
    private final Map<GroupMember, CompletionStage<R>> pending;
    private final Predicate<GroupMember> inView;

    Answers(Map<GroupMember, CompletionStage<R>> pending, Predicate<GroupMember> inView) {
      this.pending = pending;
      this.inView = inView;
    }

    /**
     * The answers that came within {@link #ANSWER_WAIT_MS} in all, nulls left out; a node that
     * failed, left the view or did not answer in time gives none.
     */
    public List<R> await() {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ANSWER_WAIT_MS);
      List<R> answers = new ArrayList<>(pending.size());
      for (CompletionStage<R> stage : pending.values()) {
        CompletableFuture<R> future = stage.toCompletableFuture();
        try {
          R answer = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          if (answer != null) {
            answers.add(answer);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return answers;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
          WsLog.LOG.peerNotAnswering(e.toString());
        }
      }
      return answers;
    }

    /**
     * Whether each node answered true within {@code waitMs} in all ({@link #each}: a node that
     * takes part in nothing counts as true).
     */
    public boolean allTrue(long waitMs) {
      try {
        return each(waitMs).stream().allMatch(Boolean.TRUE::equals);
      } catch (IllegalStateException e) {
        return false;
      }
    }

    /**
     * Every answer, once each node has answered within {@code waitMs} in all. An answer that comes
     * back cancelled (the node left the view, or runs no dispatcher: the application not started
     * yet, or stopped) is left out, as that node takes part in nothing; so is a failure of a node
     * that has left the view.
     *
     * @throws IllegalStateException if a node of the view failed or did not answer in time
     */
    public List<R> each(long waitMs) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
      List<R> answers = new ArrayList<>(pending.size());
      for (Map.Entry<GroupMember, CompletionStage<R>> answer : pending.entrySet()) {
        try {
          long left = Math.max(0, deadline - System.nanoTime());
          answers.add(answer.getValue().toCompletableFuture().get(left, TimeUnit.NANOSECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the other nodes", e);
        } catch (CancellationException e) {
          // the node left, or runs no dispatcher (the application not started, or stopped)
        } catch (ExecutionException e) {
          if (inView.test(answer.getKey())) {
            WsLog.LOG.peerNotAnswering(e.toString());
            throw new IllegalStateException(answer.getKey() + " failed", e);
          }
        } catch (TimeoutException e) {
          WsLog.LOG.peerNotAnswering(e.toString());
          throw new IllegalStateException(answer.getKey() + " did not answer in time", e);
        }
      }
      return answers;
    }
  }
}
