package org.robustws.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.wildfly.clustering.server.GroupMember;

/**
 * How the answers of the other nodes add up: {@code allTrue} is what the topology fence asks before
 * the appends of a new topology start, so a node that cannot answer must count as "no" unless it
 * has left the view or runs no application (it then takes part in no append).
 */
class AnswersTest {
  private static final GroupMember ONE = () -> "node-1";
  private static final GroupMember TWO = () -> "node-2";

  private static <R> Peers.Answers<R> answers(
      Set<GroupMember> view, CompletionStage<R> one, CompletionStage<R> two) {
    Map<GroupMember, CompletionStage<R>> pending = new LinkedHashMap<>();
    pending.put(ONE, one);
    pending.put(TWO, two);
    return new Peers.Answers<>(pending, view::contains);
  }

  private static <R> CompletableFuture<R> failed() {
    return CompletableFuture.failedFuture(new IllegalStateException("node failed"));
  }

  private static <R> CompletableFuture<R> cancelled() {
    CompletableFuture<R> answer = new CompletableFuture<>();
    answer.cancel(false);
    return answer;
  }

  @Test
  void allTrueOnlyWhenEveryNodeThatTakesPartSaysSo() {
    Set<GroupMember> both = Set.of(ONE, TWO);
    CompletableFuture<Boolean> yes = CompletableFuture.completedFuture(true);
    CompletableFuture<Boolean> no = CompletableFuture.completedFuture(false);
    assertTrue(answers(both, yes, yes).allTrue(1_000));
    assertFalse(answers(both, yes, no).allTrue(1_000));
    assertFalse(answers(both, yes, CompletableFuture.completedFuture(null)).allTrue(1_000));
    // cancelled: the node left, or runs no dispatcher (application not started, or stopped)
    assertTrue(answers(both, yes, cancelled()).allTrue(1_000));
    // a failure counts as "no" while the node is in the view, and not once it has left it
    assertFalse(answers(both, yes, failed()).allTrue(1_000));
    assertTrue(answers(Set.of(ONE), yes, failed()).allTrue(1_000));
  }

  @Test
  void aNodeThatDoesNotAnswerInTimeCountsAsNo() {
    assertFalse(
        answers(Set.of(ONE, TWO), new CompletableFuture<Boolean>(), new CompletableFuture<>())
            .allTrue(50));
  }

  /**
   * {@code each} is what a completion of the streams' copies asks: every copy, or none at all. A
   * node that takes part in nothing gives no answer; a node of the view that fails or is silent
   * fails the whole.
   */
  @Test
  void eachGivesEveryAnswerOrFailsIfANodeOfTheViewDidNotAnswer() {
    CompletableFuture<Integer> three = CompletableFuture.completedFuture(3);
    assertEquals(List.of(3), answers(Set.of(ONE, TWO), three, cancelled()).each(1_000));
    assertEquals(List.of(3), answers(Set.of(ONE), three, failed()).each(1_000));
    assertThrows(
        IllegalStateException.class, () -> answers(Set.of(ONE, TWO), three, failed()).each(1_000));
    assertThrows(
        IllegalStateException.class,
        () -> answers(Set.of(ONE, TWO), three, new CompletableFuture<>()).each(50));
  }

  @Test
  void awaitKeepsTheAnswersThatCameAndLeavesOutNullsAndFailures() {
    assertEquals(
        List.of(3),
        answers(Set.of(ONE, TWO), CompletableFuture.completedFuture(3), failed()).await());
    assertEquals(
        List.of(4),
        answers(
                Set.of(ONE, TWO),
                CompletableFuture.completedFuture(null),
                CompletableFuture.completedFuture(4))
            .await());
  }
}
