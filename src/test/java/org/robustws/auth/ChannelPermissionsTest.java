package org.robustws.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.robustws.api.ChannelAuthorizer;
import org.robustws.api.ChannelAuthorizer.Action;
import org.robustws.api.ChannelAuthorizer.Decision;
import org.robustws.protocol.Channels;

class ChannelPermissionsTest {
  private static final Identity ALICE = new Identity("alice", Set.of("editor"), Long.MAX_VALUE);
  private static final Identity BOB = new Identity("bob", Set.of(), Long.MAX_VALUE);
  private static final ChannelRule AUTHENTICATED = new ChannelRule.Authenticated();

  private static ChannelPermissions.Rules rules(String subscribe, String publish) {
    return new ChannelPermissions.Rules(
        ChannelRule.parse("s", subscribe), ChannelRule.parse("p", publish));
  }

  private static ChannelPermissions permissions(ChannelAuthorizer... authorizers) {
    return new ChannelPermissions(
        Map.of(
            "NEWS", rules("anyone", "role:editor"),
            "USER", rules("owner", "owner"),
            "OPS_EU", rules("authenticated", "nobody"),
            "DEFAULT", rules("anyone", "authenticated")),
        new ChannelPermissions.Rules(AUTHENTICATED, AUTHENTICATED),
        List.of(authorizers));
  }

  @Test
  void eachRuleKind() {
    ChannelPermissions p = permissions();
    assertTrue(p.allows(null, Action.SUBSCRIBE, "news:eu"), "anyone");
    assertFalse(p.allows(BOB, Action.PUBLISH, "news:eu"), "role:editor");
    assertTrue(p.allows(ALICE, Action.PUBLISH, "news:eu"), "role:editor");
    assertTrue(p.allows(ALICE, Action.SUBSCRIBE, "user:alice"), "owner");
    assertTrue(p.allows(ALICE, Action.PUBLISH, "user:alice.inbox"), "owner, sub followed by '.'");
    assertFalse(p.allows(ALICE, Action.SUBSCRIBE, "user:alicex"), "another subject's prefix");
    assertFalse(p.allows(BOB, Action.SUBSCRIBE, "user:alice"), "owner");
    assertFalse(p.allows(null, Action.SUBSCRIBE, "user:alice"), "owner");
    assertTrue(p.allows(BOB, Action.SUBSCRIBE, "ops.eu:x"), "authenticated");
    assertFalse(p.allows(null, Action.SUBSCRIBE, "ops.eu:x"), "authenticated");
    assertFalse(p.allows(ALICE, Action.PUBLISH, "ops-eu:x"), "nobody; '.' and '-' are the same");
    assertTrue(p.allows(null, Action.SUBSCRIBE, "lobby"), "a name without ':' is in default");
    assertFalse(p.allows(null, Action.PUBLISH, "lobby"), "default");
    assertFalse(p.allows(null, Action.SUBSCRIBE, "other:x"), "a namespace without rules");
    assertTrue(p.allows(BOB, Action.SUBSCRIBE, "News:eu"), "namespaces ignore case");
  }

  /**
   * docs/security.md: a subject with characters a channel name may not hold owns no channel, not
   * even the names closest to it; a subject of allowed characters owns its own.
   */
  @Test
  void aSubjectWithCharactersAChannelNameMayNotHoldOwnsNoChannel() {
    ChannelPermissions p = permissions();
    Identity mail = new Identity("alice@example.com", Set.of(), Long.MAX_VALUE);
    Identity path = new Identity("tenant/alice", Set.of(), Long.MAX_VALUE);
    assertFalse(Channels.isValid("user:alice@example.com"));
    assertFalse(Channels.isValid("user:tenant/alice"));
    for (String near :
        List.of(
            "user:alice",
            "user:alice.example.com",
            "user:alice_example.com",
            "user:alice-example.com",
            "user:aliceexample.com",
            "user:alice.inbox")) {
      assertTrue(Channels.isValid(near), near);
      for (Action action : Action.values()) {
        assertFalse(p.allows(mail, action, near), mail.subject() + " " + action + " " + near);
      }
    }
    for (String near :
        List.of("user:tenant", "user:tenant.alice", "user:alice", "user:tenant_alice")) {
      assertFalse(p.allows(path, Action.SUBSCRIBE, near), near);
    }
    Identity plain = new Identity("alice.example.com", Set.of(), Long.MAX_VALUE);
    assertTrue(p.allows(plain, Action.SUBSCRIBE, "user:alice.example.com"), "the same, allowed");
  }

  @Test
  void theApplicationsAnswerReplacesTheRulesUnlessItAbstainsAndADenyWins() {
    ChannelAuthorizer vip =
        (who, action, channel) ->
            channel.endsWith(".vip")
                ? (who != null && who.subject().equals("bob") ? Decision.ALLOW : Decision.DENY)
                : Decision.ABSTAIN;
    ChannelPermissions p = permissions(vip);
    assertTrue(p.allows(BOB, Action.PUBLISH, "ops:room.vip"), "allowed where the rule says nobody");
    assertFalse(
        p.allows(ALICE, Action.SUBSCRIBE, "news:room.vip"), "denied where the rule says anyone");
    assertTrue(p.allows(ALICE, Action.SUBSCRIBE, "news:room"), "abstained: the rule");
    ChannelAuthorizer denyAll = (who, action, channel) -> Decision.DENY;
    assertFalse(permissions(vip, denyAll).allows(BOB, Action.PUBLISH, "ops:room.vip"));
    assertFalse(permissions(denyAll, vip).allows(BOB, Action.PUBLISH, "ops:room.vip"));
  }

  @Test
  void aBadRuleNamesItsKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ChannelRule.parse("ws.namespace.news.publish", "everyone"));
    assertTrue(e.getMessage().startsWith("ws.namespace.news.publish"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ChannelRule.parse("k", "role:"));
    assertEquals(new ChannelRule.Role("ops"), ChannelRule.parse("k", " role:ops "));
  }

  @Test
  void theCapCountsEachConnectionOnce() {
    AccessControl access =
        new AccessControl(
            new AuthSettings(java.util.Optional.empty(), false, 10_000, 30_000, 2),
            java.util.Optional.empty(),
            permissions());
    assertTrue(access.joined("alice", "c-1"));
    assertTrue(access.joined("alice", "c-1"));
    assertTrue(access.joined("alice", "c-2"));
    assertFalse(access.joined("alice", "c-3"));
    access.left("alice", "c-3");
    access.left("alice", "c-3");
    access.left("alice", "c-2");
    assertTrue(access.joined("alice", "c-4"));
    assertTrue(access.joined("bob", "c-5"));
  }

  @Test
  void overdueConnections() {
    AccessControl required =
        new AccessControl(
            new AuthSettings(
                java.util.Optional.of(
                    new AuthSettings.Verification(
                        "file:/k", java.util.Optional.empty(), List.of(), "RS256", 60)),
                true,
                10_000,
                30_000,
                0),
            java.util.Optional.of(token -> ALICE),
            permissions());
    assertEquals(0, required.overdue(null, 0, 10_000));
    assertEquals(4005, required.overdue(null, 0, 10_001));
    Identity shortLived = new Identity("alice", Set.of(), 50_000);
    assertEquals(0, required.overdue(shortLived, 0, 80_000));
    assertEquals(4004, required.overdue(shortLived, 0, 80_001));
  }
}
