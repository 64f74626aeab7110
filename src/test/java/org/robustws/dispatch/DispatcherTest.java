package org.robustws.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.robustws.auth.AccessControl;
import org.robustws.auth.AuthSettings;
import org.robustws.auth.ChannelPermissions;
import org.robustws.auth.ChannelRule;
import org.robustws.auth.Identity;
import org.robustws.config.WsSettings;
import org.robustws.connection.Connection;
import org.robustws.connection.ConnectionClosed;
import org.robustws.connection.ConnectionEvents;
import org.robustws.connection.ConnectionInfo;
import org.robustws.connection.ConnectionOpened;
import org.robustws.connection.ConnectionSnapshot;
import org.robustws.connection.ConnectionState;
import org.robustws.connection.EndpointKind;
import org.robustws.connection.MessageReceived;
import org.robustws.connection.PublishExecutor;
import org.robustws.connection.ResumeAttempted;
import org.robustws.connection.Transport;
import org.robustws.heartbeat.HeartbeatSweep;
import org.robustws.protocol.CloseCodes;
import org.robustws.session.ClientSession;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams.Publication;
import org.robustws.testing.MutableClock;
import org.robustws.testing.RecordingTransport;
import org.robustws.testing.TestNode;
import org.robustws.testing.TestSettings;

/**
 * The dispatcher with the rest of a node as CDI wires it (real caches, in memory), a clock that
 * moves on command and recording transports.
 */
class DispatcherTest {
  private static final ConnectionInfo INFO = new ConnectionInfo("127.0.0.1", "junit", null, "");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
  private final WsSettings settings =
      TestSettings.defaultsWith(10, WsSettings.defaults().maxConnections());
  private final RecordingEvents events = new RecordingEvents();
  private final List<TestNode> nodes = new ArrayList<>();
  private final TestNode node = node(settings, events, Runnable::run);
  private final Dispatcher dispatcher = node.dispatcher;
  private final SessionStore sessions = node.sessions;

  private TestNode node(WsSettings with, ConnectionEvents observer, PublishExecutor executor) {
    TestNode created = new TestNode(with, clock, observer, executor);
    nodes.add(created);
    return created;
  }

  private ClientSession sessionOf(Connection connection) {
    return sessions.ofConnection(connection.id()).orElseThrow();
  }

  static class RecordingEvents implements ConnectionEvents {
    final List<Object> all = new ArrayList<>();

    @Override
    public void opened(ConnectionOpened event) {
      all.add(event);
    }

    @Override
    public void closed(ConnectionClosed event) {
      all.add(event);
    }

    @Override
    public void received(MessageReceived event) {
      all.add(event);
    }

    @Override
    public void resumed(ResumeAttempted event) {
      all.add(event);
    }
  }

  @AfterEach
  void close() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void aSendToAVanishedClientIsLoggedAtDebugAndOnlyOtherFailuresWarn() {
    List<LogRecord> records = new ArrayList<>();
    Handler recorder =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger logger = Logger.getLogger("org.robustws");
    Level level = logger.getLevel();
    logger.setLevel(Level.ALL);
    logger.addHandler(recorder);
    logger.setUseParentHandlers(false); // the expected warning need not reach the build's output
    try {
      node.open(EndpointKind.WS, INFO, failingWith(new ClosedChannelException()));
      node.open(EndpointKind.WS, INFO, failingWith(new IllegalStateException("a bug")));
    } finally {
      logger.removeHandler(recorder);
      logger.setUseParentHandlers(true);
      logger.setLevel(level);
    }
    LogRecord vanished = only(records, "RWS0017");
    assertEquals(Level.FINE, vanished.getLevel());
    assertTrue(vanished.getThrown() instanceof ClosedChannelException);
    LogRecord bug = only(records, "RWS0008");
    assertEquals(Level.WARNING, bug.getLevel());
    assertTrue(bug.getThrown() instanceof IllegalStateException);
  }

  private static LogRecord only(List<LogRecord> records, String id) {
    List<LogRecord> found = records.stream().filter(r -> r.getMessage().startsWith(id)).toList();
    assertEquals(
        1, found.size(), id + " in " + records.stream().map(LogRecord::getMessage).toList());
    return found.get(0);
  }

  /** A transport whose every send fails with {@code failure}. */
  private static Transport failingWith(Throwable failure) {
    return new Transport() {
      @Override
      public void sendText(String text, Consumer<Throwable> done) {
        done.accept(failure);
      }

      @Override
      public void sendBinary(ByteBuffer data, Consumer<Throwable> done) {
        done.accept(failure);
      }

      @Override
      public Executor writer() {
        return Runnable::run;
      }

      @Override
      public void sendPing(ByteBuffer payload) {}

      @Override
      public void close(int code, String reason) {}
    };
  }

  @Test
  void announcesEachWsConnectionFirst() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = node.open(EndpointKind.WS, INFO, transport);
    JsonObject connected = json(transport.texts.get(0));
    assertEquals("connected", connected.getString("event"));
    assertEquals(connection.id(), connected.getString("clientId"));
    assertEquals(sessionOf(connection).id(), connected.getString("sessionId"));
    assertEquals(ConnectionState.CONNECTED, connection.state());
    assertTrue(events.all.get(0) instanceof ConnectionOpened);

    RecordingTransport legacy = new RecordingTransport();
    node.open(EndpointKind.LEGACY, INFO, legacy);
    assertEquals(List.of(), legacy.texts, "the old protocol has no greeting");
  }

  @Test
  void heartbeatTicksEverySecondAndSpreadsEachConnectionsPingsOverTheInterval() {
    assertEquals(1_000, settings.heartbeatTickMs());
    List<RecordingTransport> transports = new ArrayList<>();
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      RecordingTransport transport = new RecordingTransport();
      connections.add(node.open(EndpointKind.WS, INFO, transport));
      transports.add(transport);
    }
    long interval = settings.heartbeatIntervalMs();
    int ticks = (int) (2 * interval / settings.heartbeatTickMs());
    int largestTick = 0;
    for (int tick = 0; tick < ticks; tick++) {
      clock.advance(Duration.ofMillis(settings.heartbeatTickMs()));
      largestTick = Math.max(largestTick, node.heartbeat.tick().pinged());
      // an unsolicited pong keeps them alive
      connections.forEach(c -> dispatcher.onPong(c, ByteBuffer.allocate(0)));
    }
    for (RecordingTransport transport : transports) {
      assertEquals(2, transport.pings.size(), "one ping per interval");
    }
    assertTrue(largestTick <= 30, "a tick pings a slice, not all 200: " + largestTick);
  }

  /**
   * docs/protocol.md section 9: each connection is due for its first ping half an interval to an
   * interval after its open, and the next tick sends it, so it comes at most one tick later.
   */
  @Test
  void theFirstPingComesHalfAnIntervalToAnIntervalAndATickAfterTheOpen() {
    long interval = settings.heartbeatIntervalMs();
    long tick = settings.heartbeatTickMs();
    List<RecordingTransport> transports = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      RecordingTransport transport = new RecordingTransport();
      node.open(EndpointKind.WS, INFO, transport);
      transports.add(transport);
    }
    long sinceOpen = 0;
    Map<RecordingTransport, Long> firstPing = new HashMap<>();
    while (sinceOpen < interval + tick) {
      clock.advance(Duration.ofMillis(tick));
      sinceOpen += tick;
      node.heartbeat.tick();
      for (RecordingTransport transport : transports) {
        if (!transport.pings.isEmpty()) {
          firstPing.putIfAbsent(transport, sinceOpen);
        }
      }
    }
    assertEquals(transports.size(), firstPing.size(), "every connection pinged");
    for (long at : firstPing.values()) {
      assertTrue(at >= interval / 2 && at <= interval + tick, "first ping after " + at + " ms");
    }
    assertTrue(
        firstPing.values().stream().distinct().count() > 1, "spread over the ticks: " + firstPing);
  }

  @Test
  void heartbeatPingsAndClosesSilentConnectionsWith4000() {
    RecordingTransport silent = new RecordingTransport();
    RecordingTransport lively = new RecordingTransport();
    Connection silentOne = node.open(EndpointKind.WS, INFO, silent);
    Connection livelyOne = node.open(EndpointKind.LEGACY, INFO, lively);

    clock.advance(Duration.ofMillis(settings.heartbeatIntervalMs()));
    assertEquals(new HeartbeatSweep.Result(2, 0), node.heartbeat.tick());
    assertEquals(1, silent.pings.size());
    assertEquals(8, silent.pings.get(0).remaining(), "an 8-byte ping payload");
    assertEquals("heartbeat", json(lively.texts.get(0)).getString("type"));

    clock.advance(Duration.ofMillis(5));
    ByteBuffer echoed = lively.pings.get(0).duplicate();
    dispatcher.onPong(livelyOne, echoed);
    assertEquals(5.0, livelyOne.snapshot().lastRttMillis(), 0.001);

    // the server's own pings and heartbeats do not count as signs of life
    clock.advance(
        Duration.ofMillis(settings.heartbeatTimeoutMs() - settings.heartbeatIntervalMs()));
    assertEquals(1, node.heartbeat.tick().timedOut());
    assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, silent.closeCode);
    assertTrue(node.connections.find(silentOne.id()).isEmpty(), "removed at once");
    assertTrue(node.connections.find(livelyOne.id()).isPresent());
    ConnectionClosed closed = (ConnectionClosed) events.all.get(events.all.size() - 1);
    assertEquals(CloseCodes.HEARTBEAT_TIMEOUT, closed.code());

    dispatcher.onClose(silentOne, 1006, "");
    assertEquals(
        1, events.all.stream().filter(ConnectionClosed.class::isInstance).count(), "closed once");
  }

  /**
   * A close whose session record cannot be written (the cache refuses writes: a split's minority)
   * fails for the endpoint to log, and is still counted and reported once, the connection gone.
   */
  @Test
  void aCloseWhoseRecordWriteFailsIsStillReportedOnce() {
    Connection connection = node.open(EndpointKind.WS, INFO, new RecordingTransport());
    dispatcher.onText(connection, "{\"type\":\"subscribe\",\"channel\":\"news\"}");
    node.stores.sessionCache.stop();
    assertThrows(RuntimeException.class, () -> dispatcher.onClose(connection, 1001, ""));
    assertTrue(node.connections.find(connection.id()).isEmpty());
    assertEquals(
        1, events.all.stream().filter(ConnectionClosed.class::isInstance).count(), "closed once");
  }

  @Test
  void fansOutWithPerSessionSequenceNumbers() {
    RecordingTransport a = new RecordingTransport();
    RecordingTransport b = new RecordingTransport();
    Connection ca = node.open(EndpointKind.WS, INFO, a);
    Connection cb = node.open(EndpointKind.WS, INFO, b);
    dispatcher.onText(ca, "{\"type\":\"subscribe\",\"channel\":\"news\"}");
    dispatcher.onText(ca, "{\"type\":\"subscribe\",\"channel\":\"sport\"}");
    dispatcher.onText(cb, "{\"type\":\"subscribe\",\"channel\":\"news\"}");

    dispatcher.onText(cb, "{\"type\":\"publish\",\"channel\":\"sport\",\"data\":1,\"id\":\"p1\"}");
    dispatcher.onText(cb, "{\"type\":\"publish\",\"channel\":\"news\",\"data\":2,\"id\":\"p2\"}");

    List<JsonObject> eventsOfA = ofType(a, "event");
    assertEquals(List.of(1, 2), eventsOfA.stream().map(e -> e.getInt("seq")).toList());
    assertEquals(List.of(1), ofType(b, "event").stream().map(e -> e.getInt("seq")).toList());
    List<JsonObject> acks = ofType(b, "ack");
    assertEquals("p1", acks.get(0).getString("id"));
    assertEquals(2, acks.get(1).getInt("delivered"));
  }

  /**
   * A fan-out to thousands of sessions held the publisher's io thread, and the few hundred other
   * connections on that thread got no answer for tens of seconds (bench/RESULTS.md, resume storm).
   */
  @Test
  void fansOutOnThePublishExecutorInThePublishersOrderAndBoundsTheWaitingOnes() {
    List<Runnable> pool = new ArrayList<>();
    TestNode busy = node(settings, events, pool::add);
    RecordingTransport subscriber = new RecordingTransport();
    busy.dispatcher.onText(
        busy.open(EndpointKind.WS, INFO, subscriber),
        "{\"type\":\"subscribe\",\"channel\":\"news\"}");
    RecordingTransport publisher = new RecordingTransport();
    Connection connection = busy.open(EndpointKind.WS, INFO, publisher);
    int burst = settings.rateBurst();
    for (int i = 0; i < burst; i++) {
      busy.dispatcher.onText(
          connection, "{\"type\":\"publish\",\"channel\":\"news\",\"data\":" + i + "}");
    }
    assertTrue(ofType(subscriber, "event").isEmpty(), "not on the container's thread");
    assertTrue(ofType(publisher, "ack").isEmpty());

    clock.advance(Duration.ofSeconds(1)); // the rate limit would allow more, the lane is full
    busy.dispatcher.onText(
        connection, "{\"type\":\"publish\",\"channel\":\"news\",\"data\":0,\"id\":\"x\"}");
    JsonObject refused = ofType(publisher, "error").get(0);
    assertEquals("rate_limited", refused.getString("error"));
    assertEquals("x", refused.getString("ref"));

    while (!pool.isEmpty()) {
      pool.remove(0).run(); // a lane hands its rest on after a batch
    }
    List<JsonObject> delivered = ofType(subscriber, "event");
    assertEquals(burst, delivered.size());
    for (int i = 0; i < burst; i++) {
      assertEquals(i, delivered.get(i).getInt("data"), "in the publisher's order");
    }
    assertEquals(burst, ofType(publisher, "ack").size());
  }

  @Test
  void aFailureOnOurSideIsAnsweredAsInternalAndKeepsTheConnection() {
    TestNode failing =
        node(
            settings,
            new RecordingEvents() {
              @Override
              public void received(MessageReceived event) {
                throw new IllegalStateException("an observer's bug");
              }
            },
            Runnable::run);
    RecordingTransport transport = new RecordingTransport();
    Connection connection = failing.open(EndpointKind.WS, INFO, transport);
    failing.dispatcher.onText(connection, "{\"type\":\"message\",\"id\":7}");
    JsonObject error = ofType(transport, "error").get(0);
    assertEquals("internal", error.getString("error"));
    assertEquals("internal error", error.getString("message"));
    assertEquals(7, error.getInt("ref"));
    assertEquals(0, transport.closeCalls);
  }

  /**
   * docs/protocol.md section 11: a connection the handshake check let through but that finds the
   * server full when it registers is closed with 1013; one that finds it draining, with 1012.
   */
  @Test
  void anOpenBeyondTheCapClosesWith1013AndDuringADrainWith1012() {
    TestNode full = node(TestSettings.defaultsWith(10, 1), events, Runnable::run);
    RecordingTransport admitted = new RecordingTransport();
    RecordingTransport oneMore = new RecordingTransport();
    full.open(EndpointKind.WS, INFO, admitted);
    Connection refused = full.open(EndpointKind.LEGACY, INFO, oneMore);
    assertEquals(0, admitted.closeCalls);
    assertEquals(CloseCodes.TRY_AGAIN_LATER, oneMore.closeCode);
    assertTrue(oneMore.texts.isEmpty(), "no system/connected: " + oneMore.texts);
    assertTrue(full.connections.find(refused.id()).isEmpty());

    node.connections.stopAdmitting();
    RecordingTransport late = new RecordingTransport();
    node.open(EndpointKind.WS, INFO, late);
    assertEquals(CloseCodes.SERVICE_RESTART, late.closeCode);
    assertTrue(late.texts.isEmpty(), "no system/connected: " + late.texts);
  }

  /** A failure while a connection opens must give back its place: it leaked before. */
  @Test
  void aFailureWhileOpeningClosesWith1011AndGivesBackTheConnectionsPlace() {
    WsSettings one = TestSettings.defaultsWith(10, 1);
    boolean[] fail = {true};
    TestNode failing =
        node(
            one,
            new RecordingEvents() {
              @Override
              public void opened(ConnectionOpened event) {
                if (fail[0]) {
                  fail[0] = false;
                  throw new IllegalStateException("an observer's bug");
                }
              }
            },
            Runnable::run);
    RecordingTransport first = new RecordingTransport();
    failing.open(EndpointKind.WS, INFO, first);
    assertEquals(CloseCodes.SERVER_ERROR, first.closeCode);
    assertEquals(0, failing.connections.size());
    RecordingTransport second = new RecordingTransport();
    failing.open(EndpointKind.WS, INFO, second);
    assertEquals(0, second.closeCalls, "the only place is free again");
    assertEquals(1, failing.connections.size());
  }

  /**
   * Undertow reports a close on the thread of a send that failed, so the open's own {@code
   * system/connected} can close the connection before the open returns: it once stayed registered,
   * with its place and session, until the heartbeat timed it out.
   */
  @Test
  void aCloseReportedWhileTheOpenRunsLeavesNothingRegistered() {
    TestNode one = node(TestSettings.defaultsWith(10, 1), events, Runnable::run);
    Connection[] opening = new Connection[1];
    RecordingTransport closesAtOnce =
        new RecordingTransport() {
          @Override
          public synchronized void sendText(String text, Consumer<Throwable> done) {
            super.sendText(text, done);
            one.dispatcher.onClose(opening[0], 1006, "");
          }
        };
    opening[0] = one.dispatcher.connection(EndpointKind.WS, INFO, closesAtOnce);
    one.dispatcher.open(opening[0]);
    assertEquals(0, one.connections.size());
    assertEquals(ConnectionState.DISCONNECTED, opening[0].state());
    assertTrue(one.sessions.ofConnection(opening[0].id()).isEmpty(), "no session held");
    RecordingTransport next = new RecordingTransport();
    one.open(EndpointKind.WS, INFO, next);
    assertEquals(0, next.closeCalls, "the only place is free");

    // and a close that came before the open started
    Connection early =
        one.dispatcher.connection(EndpointKind.LEGACY, INFO, new RecordingTransport());
    one.dispatcher.onClose(early, 1006, "");
    one.dispatcher.open(early);
    assertEquals(1, one.connections.size(), "only the second one");
  }

  /**
   * A heartbeat sweep once expired sessions while a resume attached them (its guard compared the
   * same object), and the client stayed attached to an orphan that got nothing. Sessions have no
   * sweep now: a resume at the very end of the grace period, with heartbeat ticks running on
   * another thread, keeps its session and its events.
   */
  @Test
  void aResumeAtTheEndOfTheGraceKeepsItsSessionWhileTheHeartbeatTicks() throws Exception {
    RecordingTransport first = new RecordingTransport();
    Connection lost = node.open(EndpointKind.WS, INFO, first);
    dispatcher.onText(lost, "{\"type\":\"subscribe\",\"channel\":\"edge\"}");
    JsonObject hello = json(first.texts.get(0));
    dispatcher.onClose(lost, 1006, "");
    clock.advance(Duration.ofMillis(settings.resumeGraceMs()));
    Thread ticks =
        new Thread(
            () -> {
              for (int i = 0; i < 200; i++) {
                node.heartbeat.tick();
              }
            });
    ticks.start();
    RecordingTransport second = new RecordingTransport();
    Connection back = node.open(EndpointKind.WS, INFO, second);
    dispatcher.onText(back, resume(hello, 0));
    ticks.join(10_000);
    assertEquals(1, ofType(second, "resumed").size(), second.texts.toString());
    node.fanout.publish("edge", new Publication(Json.createValue(1), null));
    assertEquals(1, ofType(second, "event").size(), "the resumed session still gets its events");
  }

  @Test
  void refusesBadMessagesAndKeepsTheConnection() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = node.open(EndpointKind.WS, INFO, transport);
    dispatcher.onText(connection, "{oops");
    dispatcher.onText(connection, "{\"type\":\"unsubscribe\",\"channel\":\"never\",\"id\":3}");
    dispatcher.onText(connection, "{\"type\":\"ping\",\"timestamp\":99}");
    List<JsonObject> errors = ofType(transport, "error");
    assertEquals("invalid_format", errors.get(0).getString("error"));
    assertEquals("not_subscribed", errors.get(1).getString("error"));
    assertEquals(3, errors.get(1).getInt("ref"));
    assertEquals(99, ofType(transport, "pong").get(0).getInt("timestamp"));
    assertEquals(0, transport.closeCalls);
  }

  /**
   * docs/protocol.md section 10: an error's {@code ref} is the offending message's {@code id} where
   * the message was a JSON object with one, except for the errors listed there.
   */
  @Test
  void anErrorCarriesTheMessagesIdAsRefExceptWhereTheProtocolSaysNot() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = node.open(EndpointKind.WS, INFO, transport);
    assertRef(transport, null, "invalid_format", () -> dispatcher.onText(connection, "{oops"));
    assertRef(transport, null, "invalid_format", () -> dispatcher.onText(connection, "[1]"));
    assertRef(
        transport,
        null,
        "invalid_format",
        () -> dispatcher.onBinary(connection, ByteBuffer.wrap(new byte[] {1})));
    assertRef(
        transport, "r1", "invalid_format", () -> dispatcher.onText(connection, "{\"id\":\"r1\"}"));
    assertRef(
        transport, "r2", "unknown_type", text(connection, "{\"type\":\"fly\",\"id\":\"r2\"}"));
    assertRef(
        transport,
        "r3",
        "invalid_channel",
        text(connection, "{\"type\":\"subscribe\",\"channel\":\"a b\",\"id\":\"r3\"}"));
    assertRef(
        transport,
        "r4",
        "invalid_format",
        text(connection, "{\"type\":\"ack\",\"seq\":1.5,\"id\":\"r4\"}"));
    assertRef(
        transport,
        "r5",
        "not_subscribed",
        text(connection, "{\"type\":\"unsubscribe\",\"channel\":\"no\",\"id\":\"r5\"}"));
    assertRef(
        transport,
        "r6",
        "auth_not_configured",
        text(connection, "{\"type\":\"auth\",\"token\":\"t\",\"id\":\"r6\"}"));
    assertRef(
        transport,
        null,
        "invalid_state",
        text(
            connection,
            "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"t\",\"lastSeq\":0,"
                + "\"id\":\"r7\"}"));
    for (int i = 0; i < settings.maxSubscriptions(); i++) {
      dispatcher.onText(connection, "{\"type\":\"subscribe\",\"channel\":\"c" + i + "\"}");
    }
    assertRef(
        transport,
        "r8",
        "too_many_subscriptions",
        text(connection, "{\"type\":\"subscribe\",\"channel\":\"one.more\",\"id\":\"r8\"}"));
    // the message rate: the clock stands still, so the burst runs out; the refused message is not
    // read at all
    int sent = 0;
    while (ofType(transport, "error").stream().noneMatch(e -> e.containsValue(RATE_LIMITED))) {
      assertTrue(sent++ <= settings.rateBurst(), "a burst of " + settings.rateBurst());
      dispatcher.onText(connection, "{\"type\":\"echo\",\"id\":\"r9\"}");
    }
    assertFalse(lastError(transport).containsKey("ref"), lastError(transport).toString());

    // failures on our side: the caches stop under the connection
    clock.advance(Duration.ofMinutes(1)); // the rate limit's burst again
    dispatcher.onText(connection, "{\"type\":\"unsubscribe\",\"channel\":\"c0\"}");
    node.stores.close();
    assertRef(
        transport,
        "r10",
        "internal",
        text(connection, "{\"type\":\"publish\",\"channel\":\"c1\",\"id\":\"r10\"}"));
    assertRef(
        transport,
        null,
        "internal",
        text(connection, "{\"type\":\"subscribe\",\"channel\":\"c200\",\"id\":\"r11\"}"));
    assertEquals(0, transport.closeCalls);
  }

  /**
   * docs/protocol.md section 10: {@code unauthenticated} names the {@code id} of a {@code
   * subscribe}, {@code unsubscribe} or {@code publish} only; {@code forbidden} names it too.
   */
  @Test
  void unauthenticatedRefersOnlyToSubscribeUnsubscribeAndPublish() {
    ChannelRule anyone = new ChannelRule.Anyone();
    AccessControl required =
        new AccessControl(
            new AuthSettings(
                Optional.of(
                    new AuthSettings.Verification(
                        "file:/k", Optional.empty(), List.of(), "RS256", 60)),
                true,
                10_000,
                30_000,
                0),
            Optional.of(token -> new Identity("alice", Set.of(), Long.MAX_VALUE)),
            new ChannelPermissions(
                Map.of("OPS", new ChannelPermissions.Rules(anyone, new ChannelRule.Nobody())),
                new ChannelPermissions.Rules(anyone, anyone),
                List.of()));
    TestNode guarded = new TestNode(settings, clock, events, Runnable::run, required);
    nodes.add(guarded);
    RecordingTransport transport = new RecordingTransport();
    Connection connection = guarded.open(EndpointKind.WS, INFO, transport);
    Dispatcher d = guarded.dispatcher;
    for (String type : List.of("subscribe", "unsubscribe", "publish")) {
      String message = "{\"type\":\"" + type + "\",\"channel\":\"ops:x\",\"id\":\"" + type + "\"}";
      assertRef(transport, type, "unauthenticated", () -> d.onText(connection, message));
    }
    for (String message :
        List.of(
            "{\"type\":\"message\",\"id\":\"m\"}",
            "{\"type\":\"echo\",\"id\":\"e\"}",
            "{\"type\":\"ack\",\"seq\":0,\"id\":\"a\"}",
            "{\"type\":\"resume\",\"sessionId\":\"s\",\"resumeToken\":\"t\",\"lastSeq\":0,"
                + "\"id\":\"r\"}")) {
      assertRef(transport, null, "unauthenticated", () -> d.onText(connection, message));
    }
    d.onText(connection, "{\"type\":\"auth\",\"token\":\"t\",\"id\":\"a1\"}");
    assertEquals("alice", ofType(transport, "authenticated").get(0).getString("sub"));
    assertRef(
        transport,
        "f1",
        "forbidden",
        () -> d.onText(connection, "{\"type\":\"publish\",\"channel\":\"ops:x\",\"id\":\"f1\"}"));
  }

  /**
   * docs/protocol.md section 12: {@code /ws-legacy} shares the slow-consumer close with {@code
   * /ws}: a client that stops reading while the server echoes large frames is closed with 4008 once
   * {@code ws.outbound.max-bytes} are queued; one that reads gets every echo.
   */
  @Test
  void closesASlowLegacyClientWith4008() {
    String big = "x".repeat(settings.maxMessageBytes());
    int echoes = (int) (settings.outboundMaxBytes() / big.length()) + 2;
    RecordingTransport reading = new RecordingTransport();
    Connection fast = node.open(EndpointKind.LEGACY, INFO, reading);
    RecordingTransport stopped = new RecordingTransport();
    Connection slow = node.open(EndpointKind.LEGACY, INFO, stopped);
    stopped.hold();
    for (int i = 0; i < echoes; i++) {
      dispatcher.onText(fast, big);
      dispatcher.onText(slow, big);
    }
    assertEquals(echoes, reading.texts.size());
    assertEquals(0, reading.closeCalls);
    assertEquals(CloseCodes.SLOW_CONSUMER, stopped.closeCode);
    assertTrue(stopped.texts.size() < echoes, "it fell behind: " + stopped.texts.size());
  }

  /**
   * A subscriber that stopped reading gets no event after one refused for its queue's bytes,
   * however small: what it gets has consecutive {@code seq}s, so its resume from the last one it
   * got replays the refused event instead of skipping it.
   */
  @Test
  void noEventOvertakesOneRefusedForTheQueuesBounds() {
    RecordingTransport stopped = new RecordingTransport();
    Connection subscriber = node.open(EndpointKind.WS, INFO, stopped);
    dispatcher.onText(subscriber, "{\"type\":\"subscribe\",\"channel\":\"big\"}");
    stopped.hold();
    Connection publisher = node.open(EndpointKind.WS, INFO, new RecordingTransport());
    String big = "\"" + "é".repeat(settings.maxMessageBytes() / 2 - 100) + "\""; // ~64 KiB UTF-8
    while (stopped.closeCode == 0) {
      dispatcher.onText(
          publisher, "{\"type\":\"publish\",\"channel\":\"big\",\"data\":" + big + "}");
    }
    assertEquals(CloseCodes.SLOW_CONSUMER, stopped.closeCode);
    // the container has not reported the close yet: the session still holds the connection
    dispatcher.onText(publisher, "{\"type\":\"publish\",\"channel\":\"big\",\"data\":1}");
    while (!stopped.pending.isEmpty()) {
      stopped.completePending();
    }
    List<Integer> seqs = ofType(stopped, "event").stream().map(e -> e.getInt("seq")).toList();
    assertEquals(IntStream.rangeClosed(1, seqs.size()).boxed().toList(), seqs);
    assertTrue(seqs.size() < settings.outboundMaxBytes() / big.length(), "it fell behind: " + seqs);
  }

  private static final JsonValue RATE_LIMITED = Json.createValue("rate_limited");

  private Runnable text(Connection connection, String text) {
    return () -> dispatcher.onText(connection, text);
  }

  /** Runs {@code send}; the error it is answered with must be {@code error} with {@code ref}. */
  private static void assertRef(
      RecordingTransport transport, String ref, String error, Runnable send) {
    int before = ofType(transport, "error").size();
    send.run();
    List<JsonObject> errors = ofType(transport, "error");
    assertEquals(before + 1, errors.size(), "one error: " + transport.texts);
    JsonObject answer = errors.get(before);
    assertEquals(error, answer.getString("error"), answer.toString());
    if (ref == null) {
      assertFalse(answer.containsKey("ref"), answer.toString());
    } else {
      assertEquals(ref, answer.getString("ref"), answer.toString());
    }
  }

  private static JsonObject lastError(RecordingTransport transport) {
    List<JsonObject> errors = ofType(transport, "error");
    return errors.get(errors.size() - 1);
  }

  @Test
  void closesOversizedMessagesWith1009() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = node.open(EndpointKind.WS, INFO, transport);
    dispatcher.onText(connection, "x".repeat(settings.maxMessageBytes() + 1));
    assertEquals(CloseCodes.TOO_BIG, transport.closeCode);
  }

  /**
   * docs/protocol.md section 3: the bound is in UTF-8 bytes over all the parts of a message (the
   * only check on a compressed connection, where Undertow's frame check sees compressed sizes), and
   * the 1009 comes without an {@code error} frame. Three-byte characters under the bound in
   * characters but over it in bytes, two parts each under it and over it together, and a binary
   * frame over it are closed; a message of exactly the bound in bytes, in two parts, is answered.
   */
  @Test
  void theMessageBoundCountsUtf8BytesOverEveryPart() {
    int max = settings.maxMessageBytes();
    String prefix = "{\"type\":\"echo\",\"payload\":\"";
    String suffix = "\"}";
    RecordingTransport euros = new RecordingTransport();
    dispatcher.onText(
        node.open(EndpointKind.WS, INFO, euros), prefix + "€".repeat(max / 3) + suffix);
    RecordingTransport parts = new RecordingTransport();
    Connection split = node.open(EndpointKind.WS, INFO, parts);
    String half = "é".repeat(max / 4);
    dispatcher.onTextPart(split, prefix + half, false);
    dispatcher.onTextPart(split, half + suffix, true);
    RecordingTransport binary = new RecordingTransport();
    dispatcher.onBinary(node.open(EndpointKind.WS, INFO, binary), ByteBuffer.allocate(max + 1));
    for (RecordingTransport closed : List.of(euros, parts, binary)) {
      assertEquals(CloseCodes.TOO_BIG, closed.closeCode);
      assertEquals(List.of(), ofType(closed, "error"), "no error frame before the 1009");
    }

    RecordingTransport fits = new RecordingTransport();
    Connection whole = node.open(EndpointKind.WS, INFO, fits);
    int room = max - prefix.length() - suffix.length();
    String payload = "€".repeat(room / 3) + "x".repeat(room % 3);
    assertEquals(max, (prefix + payload + suffix).getBytes(StandardCharsets.UTF_8).length);
    dispatcher.onTextPart(whole, prefix + payload.substring(0, room / 6), false);
    dispatcher.onTextPart(whole, payload.substring(room / 6) + suffix, true);
    assertEquals(0, fits.closeCode, "exactly the bound is not over it");
    assertEquals(payload, ofType(fits, "echo").get(0).getString("payload"));
  }

  /** docs/protocol.md section 3, details: what a missing optional field is answered with. */
  @Test
  void missingOptionalFieldsAreAnsweredAsDocumented() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = node.open(EndpointKind.WS, INFO, transport);
    dispatcher.onText(connection, "{\"type\":\"ping\"}");
    assertFalse(ofType(transport, "pong").get(0).containsKey("timestamp"));
    dispatcher.onText(connection, "{\"type\":\"echo\"}");
    assertEquals(JsonValue.NULL, ofType(transport, "echo").get(0).get("payload"));
    // subscribing twice is answered twice and delivers each event once
    dispatcher.onText(connection, "{\"type\":\"subscribe\",\"channel\":\"twice\"}");
    dispatcher.onText(connection, "{\"type\":\"subscribe\",\"channel\":\"twice\"}");
    assertEquals(2, ofType(transport, "subscribed").size());
    dispatcher.onText(connection, "{\"type\":\"publish\",\"channel\":\"twice\"}");
    List<JsonObject> events = ofType(transport, "event");
    assertEquals(1, events.size(), "once: " + events);
    assertEquals(JsonValue.NULL, events.get(0).get("data"));
    JsonObject ack = ofType(transport, "ack").get(0);
    assertFalse(ack.containsKey("id"), "no id sent, none in the ack: " + ack);
    assertEquals(1, ack.getInt("delivered"));
  }

  /**
   * docs/protocol.md section 2: any frame sent first, even an app-level ping or a binary frame,
   * uses up the chance to resume; a protocol pong does not. And section 7: {@code resumed.lastSeq}
   * equals the client's {@code lastSeq} when nothing was replayed.
   */
  @Test
  void onlyTheFirstFrameMayResumeAndAPongDoesNotCount() {
    RecordingTransport first = new RecordingTransport();
    Connection old = node.open(EndpointKind.WS, INFO, first);
    JsonObject hello = json(first.texts.get(0));
    dispatcher.onText(old, "{\"type\":\"subscribe\",\"channel\":\"news\"}");
    node.fanout.publish("news", new Publication(Json.createValue(1), null));
    dispatcher.onClose(old, 1006, "");

    for (String before : List.of("{\"type\":\"ping\"}", "binary", "not json")) {
      RecordingTransport transport = new RecordingTransport();
      Connection late = node.open(EndpointKind.WS, INFO, transport);
      if (before.equals("binary")) {
        dispatcher.onBinary(late, ByteBuffer.wrap(new byte[] {1}));
      } else {
        dispatcher.onText(late, before);
      }
      dispatcher.onText(late, resume(hello, 1));
      List<JsonObject> errors = ofType(transport, "error");
      assertEquals("invalid_state", errors.get(errors.size() - 1).getString("error"), before);
      assertTrue(ofType(transport, "resumed").isEmpty(), before);
    }

    RecordingTransport transport = new RecordingTransport();
    Connection fresh = node.open(EndpointKind.WS, INFO, transport);
    dispatcher.onPong(fresh, ByteBuffer.allocate(8));
    dispatcher.onText(fresh, resume(hello, 1));
    JsonObject resumed = ofType(transport, "resumed").get(0);
    assertEquals(0, resumed.getInt("replayed"));
    assertEquals(1, resumed.getInt("lastSeq"), "the client's lastSeq when nothing was replayed");
  }

  @Test
  void resumeMovesTheSessionAndClosesTheOldConnection() {
    RecordingTransport first = new RecordingTransport();
    Connection old = node.open(EndpointKind.WS, INFO, first);
    dispatcher.onText(old, "{\"type\":\"subscribe\",\"channel\":\"news\"}");
    node.fanout.publish("news", new Publication(Json.createValue(1), null));
    JsonObject hello = json(first.texts.get(0));

    RecordingTransport second = new RecordingTransport();
    Connection fresh = node.open(EndpointKind.WS, INFO, second);
    node.fanout.publish("news", new Publication(Json.createValue(2), null));
    dispatcher.onText(fresh, resume(hello, 1));

    assertEquals(List.of(2), ofType(second, "event").stream().map(e -> e.getInt("seq")).toList());
    JsonObject resumed = ofType(second, "resumed").get(0);
    assertEquals(1, resumed.getInt("replayed"));
    assertEquals(2, resumed.getInt("lastSeq"));
    assertEquals(CloseCodes.SESSION_TAKEN_OVER, first.closeCode);
    assertEquals(hello.getString("sessionId"), sessionOf(fresh).id());

    dispatcher.onText(
        fresh, "{\"type\":\"resume\",\"sessionId\":\"x\",\"resumeToken\":\"y\",\"lastSeq\":0}");
    assertEquals("invalid_state", ofType(second, "error").get(0).getString("error"));
  }

  /**
   * Seen in the resume storm (bench/RESULTS.md): a client reset a reconnection whose resume the
   * server had not read yet, resumed on its next connection, and then the server read the first
   * one's resume after all (a reset socket is read to its end first). The token of a resume is
   * accepted once more, so that resume took the session back from the live connection and left the
   * client with a token that no longer worked.
   */
  @Test
  void aLateResumeFromAnOlderConnectionIsClosedAsTakenOver() {
    JsonObject hello = lostConnectionSubscribedTo("news");
    RecordingTransport first = new RecordingTransport();
    Connection older = node.open(EndpointKind.WS, INFO, first);
    RecordingTransport second = new RecordingTransport();
    Connection newer = node.open(EndpointKind.WS, INFO, second);
    dispatcher.onText(newer, resume(hello, 0));
    JsonObject resumed = ofType(second, "resumed").get(0);

    dispatcher.onText(older, resume(hello, 0));
    assertEquals(CloseCodes.SESSION_TAKEN_OVER, first.closeCode);
    assertEquals(1, first.texts.size(), "no answer but the close: " + first.texts);
    assertEquals(0, second.closeCalls, "the live connection keeps its session");
    node.fanout.publish("news", new Publication(Json.createValue(1), null));
    assertEquals(1, ofType(second, "event").size());

    dispatcher.onClose(newer, 1006, "");
    RecordingTransport third = new RecordingTransport();
    dispatcher.onText(node.open(EndpointKind.WS, INFO, third), resume(resumed, 1));
    assertEquals(1, ofType(third, "resumed").size(), "the client's token works: " + third.texts);
  }

  @Test
  void ignoresWhatArrivesAfterTheServerStartedClosing() {
    JsonObject hello = lostConnectionSubscribedTo("news");
    RecordingTransport transport = new RecordingTransport();
    Connection closing = node.open(EndpointKind.WS, INFO, transport);
    closing.close(CloseCodes.HEARTBEAT_TIMEOUT, "heartbeat timeout");

    dispatcher.onText(closing, resume(hello, 0));
    dispatcher.onText(closing, "{\"type\":\"publish\",\"channel\":\"news\",\"data\":1}");
    dispatcher.onBinary(closing, ByteBuffer.wrap(new byte[] {1}));
    assertEquals(1, transport.texts.size(), "only system/connected: " + transport.texts);

    RecordingTransport next = new RecordingTransport();
    dispatcher.onText(node.open(EndpointKind.WS, INFO, next), resume(hello, 0));
    assertEquals(1, ofType(next, "resumed").size(), "the session is still there to resume");
  }

  /**
   * The {@code connected} frame of a connection that subscribed to {@code channel}, then closed.
   */
  private JsonObject lostConnectionSubscribedTo(String channel) {
    RecordingTransport transport = new RecordingTransport();
    Connection lost = node.open(EndpointKind.WS, INFO, transport);
    dispatcher.onText(lost, "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
    dispatcher.onClose(lost, 1006, "");
    return json(transport.texts.get(0));
  }

  @Test
  void closesASlowConsumerWith4008AndKeepsItsEventsForResume() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = node.open(EndpointKind.WS, INFO, transport);
    dispatcher.onText(connection, "{\"type\":\"subscribe\",\"channel\":\"flood\"}");
    transport.hold();
    for (int i = 0; i <= settings.outboundMaxMessages(); i++) {
      node.fanout.publish("flood", new Publication(Json.createValue(i), null));
    }
    assertEquals(CloseCodes.SLOW_CONSUMER, transport.closeCode);
    assertEquals(settings.outboundMaxMessages() + 1, sessionOf(connection).lastSeq());

    // the client got the frames the socket had taken (none, here) and resumes from there
    JsonObject hello = json(transport.texts.get(0));
    dispatcher.onClose(connection, CloseCodes.SLOW_CONSUMER, "slow consumer");
    RecordingTransport again = new RecordingTransport();
    Connection resumed = node.open(EndpointKind.WS, INFO, again);
    dispatcher.onText(resumed, resume(hello, 0));
    assertEquals(settings.outboundMaxMessages() + 1, ofType(again, "event").size(), "no loss");
    assertEquals(0, again.closeCalls, "the replay itself is not a slow consumer");
  }

  /**
   * The outbound queue once counted UTF-16 chars and the replay buffer UTF-8 bytes: a consumer of
   * non-ASCII events was closed with 4008 holding more than a resume could find. Both count UTF-8
   * bytes now, and the queue's bounds are below the channel history's.
   */
  @Test
  void aSlowConsumerOfFourKibNonAsciiEventsResumesWithNothingLost() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = node.open(EndpointKind.WS, INFO, transport);
    dispatcher.onText(connection, "{\"type\":\"subscribe\",\"channel\":\"euro\"}");
    transport.hold();
    String euros = "€".repeat(1_365); // 4,095 UTF-8 bytes
    int published = 0;
    while (transport.closeCalls == 0) {
      node.fanout.publish("euro", new Publication(Json.createValue(euros + published), null));
      published++;
    }
    assertEquals(CloseCodes.SLOW_CONSUMER, transport.closeCode);
    JsonObject hello = json(transport.texts.get(0));
    dispatcher.onClose(connection, CloseCodes.SLOW_CONSUMER, "slow consumer");
    RecordingTransport again = new RecordingTransport();
    dispatcher.onText(node.open(EndpointKind.WS, INFO, again), resume(hello, 0));
    assertEquals(
        published, ofType(again, "event").size(), "no loss: " + ofType(again, "resume_failed"));
  }

  @Test
  void legacyEchoesAndAnswersPings() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = node.open(EndpointKind.LEGACY, INFO, transport);
    dispatcher.onText(connection, "hello");
    dispatcher.onText(connection, "{\"type\":\"ping\"}");
    dispatcher.onBinary(connection, ByteBuffer.wrap(new byte[] {1, 2, 3}));
    assertEquals("hello", transport.texts.get(0));
    assertEquals("pong", json(transport.texts.get(1)).getString("type"));
    assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), transport.binaries.get(0));
  }

  @Test
  void shutdownSaysWhenToComeBackThenCloses1012() {
    RecordingTransport transport = new RecordingTransport();
    node.open(EndpointKind.WS, INFO, transport);
    node.drain.shutdown();
    JsonObject goodbye = json(transport.texts.get(transport.texts.size() - 1));
    assertEquals("shutdown", goodbye.getString("event"));
    long after = goodbye.getJsonNumber("reconnectAfter").longValue();
    assertTrue(after >= 500 && after <= 5_000, "spread over 0.5-5 s: " + after);
    assertEquals(CloseCodes.SERVICE_RESTART, transport.closeCode);
  }

  @Test
  void snapshotsCarryTheMetadata() {
    RecordingTransport transport = new RecordingTransport();
    Connection connection = node.open(EndpointKind.WS, INFO, transport);
    dispatcher.onText(connection, "{\"type\":\"subscribe\",\"channel\":\"news\"}");
    ConnectionSnapshot snapshot = node.connections.find(connection.id()).orElseThrow();
    assertEquals("ws", snapshot.endpoint());
    assertEquals("connected", snapshot.state());
    assertEquals("127.0.0.1", snapshot.remoteAddress());
    assertEquals(1, snapshot.messagesIn());
    assertEquals(2, snapshot.messagesOut());
    assertEquals(java.util.Set.of("news"), snapshot.subscriptions());
    assertNotNull(snapshot.sessionId());
    assertFalse(node.connections.sendTo("c-unknown", Json.createValue(1)));
  }

  /**
   * A resume of the session that {@code announced} ({@code connected} or {@code resumed}) names.
   */
  private static String resume(JsonObject announced, long lastSeq) {
    return "{\"type\":\"resume\",\"sessionId\":\""
        + announced.getString("sessionId")
        + "\",\"resumeToken\":\""
        + announced.getString("resumeToken")
        + "\",\"lastSeq\":"
        + lastSeq
        + "}";
  }

  private static List<JsonObject> ofType(RecordingTransport transport, String type) {
    return transport.texts.stream()
        .map(DispatcherTest::json)
        .filter(o -> type.equals(o.getString("type")))
        .toList();
  }

  private static JsonObject json(String text) {
    return Json.createReader(new StringReader(text)).readObject();
  }
}
