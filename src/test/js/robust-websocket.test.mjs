// Unit tests of the browser client library: run with `node --test src/test/js/` (Maven runs
// them in the `test` phase). No npm packages: Node's own test runner and assert.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_STRATEGY,
  backoffDelay,
  classifySeq,
  closeCodeRule,
  heartbeatDecision,
  mergeStrategy,
  OfflineQueue,
  QueueFullError,
  reconnectDecision,
  RobustWebSocket,
} from '../../main/webapp/js/robust-websocket.js';
import { FakeSocket } from './fake-socket.mjs';

const server = { initialDelay: 1000, maxDelay: 30000, multiplier: 1.5, jitter: 0.5, maxAttempts: 10 };

describe('backoffDelay', () => {
  test('grows exponentially up to maxDelay (no jitter)', () => {
    const s = { ...server, jitter: 0 };
    assert.deepEqual([0, 1, 2, 3].map((a) => backoffDelay(a, s)), [1000, 1500, 2250, 3375]);
    assert.equal(backoffDelay(50, s), 30000);
  });

  test('jitter spreads the delay between cap*(1-jitter) and cap', () => {
    assert.equal(backoffDelay(0, server, () => 0), 500);
    assert.equal(backoffDelay(0, server, () => 0.999999), 1000);
    assert.equal(backoffDelay(2, server, () => 0.5), Math.round(2250 * 0.75));
  });

  test('full jitter (1) is uniform in [0, cap]', () => {
    const s = { ...server, jitter: 1 };
    assert.equal(backoffDelay(3, s, () => 0), 0);
    assert.equal(backoffDelay(3, s, () => 0.5), Math.round(3375 / 2));
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(4, s);
      assert.ok(d >= 0 && d <= 1000 * 1.5 ** 4, `delay ${d}`);
    }
  });

  test('never exceeds maxDelay whatever the attempt or random source', () => {
    for (const attempt of [0, 5, 10, 100, 1e6]) {
      assert.ok(backoffDelay(attempt, server, () => 1) <= 30000);
    }
  });

  test('bad strategy fields fall back to the defaults', () => {
    assert.deepEqual(mergeStrategy({ initialDelay: -1, multiplier: 'x', jitter: 7 }), { ...DEFAULT_STRATEGY, jitter: 1 });
    assert.equal(mergeStrategy(server, { maxAttempts: 3 }).maxAttempts, 3);
  });
});

describe('closeCodeRule', () => {
  test('follows the close-code table of docs/protocol.md', () => {
    for (const code of [1002, 1003, 1007, 1008, 1009, 4001]) assert.equal(closeCodeRule(code), 'never', `${code}`);
    for (const code of [1001, 1006, 1011, 1013, 4000, 4008]) assert.equal(closeCodeRule(code), 'backoff', `${code}`);
    assert.equal(closeCodeRule(1012), 'after-shutdown');
  });

  test('1000 the client asked for ends it; 1000 from an operator is reconnected', () => {
    assert.equal(closeCodeRule(1000, true), 'never');
    assert.equal(closeCodeRule(1000, false), 'backoff');
  });

  test('unknown codes count as 1006', () => {
    assert.equal(closeCodeRule(4999), 'backoff');
    assert.equal(closeCodeRule(3000), 'backoff');
  });
});

describe('reconnectDecision', () => {
  const half = () => 0.5;

  test('does not reconnect after its own close, whatever the code', () => {
    const d = reconnectDecision({ code: 1006, ownRequest: true });
    assert.equal(d.reconnect, false);
    assert.equal(d.reason, 'own-request');
  });

  test('does not reconnect after 1008, 1009 or 4001', () => {
    for (const code of [1008, 1009, 4001]) {
      assert.deepEqual(reconnectDecision({ code, attempt: 2 }), { reconnect: false, delay: 0, nextAttempt: 2, reason: 'no-reconnect-code' });
    }
  });

  test('1006 reconnects with backoff and counts the attempt', () => {
    const d = reconnectDecision({ code: 1006, attempt: 1, strategy: server, random: half });
    assert.equal(d.reconnect, true);
    assert.equal(d.reason, 'backoff');
    assert.equal(d.nextAttempt, 2);
    assert.equal(d.delay, Math.round(1500 * 0.75));
  });

  test('stops after maxAttempts and says so', () => {
    const d = reconnectDecision({ code: 1006, attempt: 10, strategy: server });
    assert.equal(d.reconnect, false);
    assert.equal(d.reason, 'max-attempts');
    assert.equal(reconnectDecision({ code: 1006, attempt: 2, strategy: { ...server, maxAttempts: 2 } }).reason, 'max-attempts');
  });

  test('1012 after system/shutdown waits exactly reconnectAfter, without counting an attempt', () => {
    const d = reconnectDecision({ code: 1012, attempt: 10, strategy: server, shutdownReconnectAfter: 2731 });
    assert.deepEqual(d, { reconnect: true, delay: 2731, nextAttempt: 10, reason: 'shutdown' });
  });

  test('1012 without a shutdown message falls back to backoff', () => {
    const d = reconnectDecision({ code: 1012, attempt: 0, strategy: server, random: () => 0 });
    assert.equal(d.reason, 'backoff');
    assert.equal(d.delay, 500);
  });

  test('a shutdown hint does not make a no-reconnect code reconnect', () => {
    assert.equal(reconnectDecision({ code: 1008, shutdownReconnectAfter: 100 }).reconnect, false);
  });
});

describe('heartbeatDecision', () => {
  const base = { heartbeatInterval: 25000, heartbeatTimeout: 60000 };
  test('pings every interval', () => {
    assert.equal(heartbeatDecision({ ...base, now: 24999, lastPingAt: 0, pingOutstandingSince: null }), 'wait');
    assert.equal(heartbeatDecision({ ...base, now: 25000, lastPingAt: 0, pingOutstandingSince: null }), 'ping');
  });
  test('no pong within the timeout: the connection is dead', () => {
    assert.equal(heartbeatDecision({ ...base, now: 61000, lastPingAt: 50000, pingOutstandingSince: 1000 }), 'timeout');
    assert.equal(heartbeatDecision({ ...base, now: 60999, lastPingAt: 50000, pingOutstandingSince: 1000 }), 'wait');
  });
});

test('classifySeq tells next, duplicate and gap apart', () => {
  assert.equal(classifySeq(0, 1), 'next');
  assert.equal(classifySeq(5, 5), 'duplicate');
  assert.equal(classifySeq(5, 3), 'duplicate');
  assert.equal(classifySeq(5, 8), 'gap');
});

describe('OfflineQueue', () => {
  test('drop-oldest keeps the newest', () => {
    const q = new OfflineQueue(2, 'drop-oldest');
    q.offer('a');
    q.offer('b');
    assert.deepEqual(q.offer('c'), { queued: true, dropped: 'a' });
    assert.deepEqual(q.drain(), ['b', 'c']);
    assert.equal(q.size, 0);
  });
  test('drop-newest refuses the new one', () => {
    const q = new OfflineQueue(1, 'drop-newest');
    q.offer('a');
    assert.deepEqual(q.offer('b'), { queued: false, dropped: 'b' });
    assert.deepEqual(q.drain(), ['a']);
  });
  test('error throws', () => {
    const q = new OfflineQueue(1, 'error');
    q.offer('a');
    assert.throws(() => q.offer('b'), QueueFullError);
  });
  test('unknown policy is refused', () => {
    assert.throws(() => new OfflineQueue(1, 'block'), TypeError);
  });
});

// ----- the client against a scripted fake socket -----

function connected(session, token) {
  return {
    type: 'system',
    event: 'connected',
    clientId: `c-${session}`,
    sessionId: session,
    resumeToken: token,
    serverTime: 1,
    config: { heartbeatInterval: 60000, heartbeatTimeout: 120000, maxMessageBytes: 65536, reconnectStrategy: { ...server, initialDelay: 1, maxDelay: 1 } },
  };
}

function client(t, options = {}) {
  t.mock.timers.reset(); // a test may make several clients
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_700_000_000_000 });
  FakeSocket.all = [];
  const c = new RobustWebSocket('ws://test/ws', { WebSocket: FakeSocket, ackInterval: 60000, ...options });
  const seen = [];
  for (const type of ['statechange', 'event', 'resumed', 'resumefailed', 'gap', 'giveup', 'queueoverflow']) {
    c.addEventListener(type, (e) => seen.push({ type, ...e.detail }));
  }
  return { c, seen };
}

/** Runs the mock clock, a millisecond at a time (at most a minute), until the client opened its next socket. */
function nextSocket(t) {
  const n = FakeSocket.all.length;
  for (let ms = 0; FakeSocket.all.length === n && ms < 60_000; ms++) t.mock.timers.tick(1);
  return FakeSocket.all.at(-1);
}

test('resumes after a drop: resume is the first frame, replayed events are delivered once, no re-subscribe', (t) => {
  const { c, seen } = client(t);
  c.subscribe('orders');
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1', 't-1'));
  assert.equal(c.state, 'connected');
  assert.deepEqual(s1.sent, [{ type: 'subscribe', channel: 'orders' }]);
  s1.serverSends({ type: 'event', channel: 'orders', data: 1, seq: 1 });
  s1.serverSends({ type: 'event', channel: 'orders', data: 2, seq: 2 });

  s1.serverCloses(1006);
  assert.equal(c.state, 'disconnected');
  assert.equal(c.send({ type: 'echo', payload: 'offline' }), 'queued');
  const s2 = nextSocket(t);
  s2.serverSends(connected('s-2', 't-2'));
  assert.deepEqual(s2.sent, [{ type: 'resume', sessionId: 's-1', resumeToken: 't-1', lastSeq: 2 }]);
  assert.equal(c.state, 'connecting', 'not connected until the resume is answered');
  s2.serverSends({ type: 'event', channel: 'orders', data: 2, seq: 2 }); // a duplicate: dropped
  s2.serverSends({ type: 'event', channel: 'orders', data: 3, seq: 3 });
  s2.serverSends({ type: 'resumed', sessionId: 's-1', resumeToken: 't-1b', replayed: 1, lastSeq: 3 });

  assert.equal(c.state, 'connected');
  assert.deepEqual(c.session, { sessionId: 's-1', resumeToken: 't-1b' });
  assert.deepEqual(seen.filter((e) => e.type === 'event').map((e) => e.seq), [1, 2, 3]);
  assert.equal(seen.find((e) => e.type === 'resumed').replayed, 1);
  assert.equal(seen.filter((e) => e.type === 'gap').length, 0);
  assert.deepEqual(s2.sent.slice(1), [{ type: 'echo', payload: 'offline' }], 'queue flushed, no re-subscribe');
  c.disconnect();
  s2.serverCloses(1000);
  assert.equal(c.state, 'disconnected');
});

test('keeps each channel\'s position from the events and sends them with resume', (t) => {
  const { c, seen } = client(t);
  c.subscribe('a');
  c.subscribe('b');
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1', 't-1'));
  s1.serverSends({ type: 'event', channel: 'a', data: 1, seq: 1, offset: 41, epoch: 'ea' });
  s1.serverSends({ type: 'event', channel: 'b', data: 2, seq: 2, offset: 7, epoch: 'eb' });
  s1.serverSends({ type: 'event', channel: 'a', data: 3, seq: 3, offset: 42, epoch: 'ea' });
  assert.deepEqual(seen.filter((e) => e.type === 'event').map((e) => [e.offset, e.epoch]), [[41, 'ea'], [7, 'eb'], [42, 'ea']]);
  s1.serverCloses(1006);
  const s2 = nextSocket(t);
  s2.serverSends(connected('s-2', 't-2'));
  assert.deepEqual(s2.sent[0], {
    type: 'resume', sessionId: 's-1', resumeToken: 't-1', lastSeq: 3,
    positions: { a: { offset: 42, epoch: 'ea' }, b: { offset: 7, epoch: 'eb' } },
  });
  s2.serverSends({ type: 'resumed', sessionId: 's-1', resumeToken: 't-1b', replayed: 0, lastSeq: 3, positions: { a: { offset: 42, epoch: 'ea' } } });
  assert.deepEqual(seen.find((e) => e.type === 'resumed').positions, { a: { offset: 42, epoch: 'ea' } });
  c.unsubscribe('b');
  assert.deepEqual(c.positions, { a: { offset: 42, epoch: 'ea' } }, 'an unsubscribed channel is forgotten');
  c.disconnect();
  s2.serverCloses(1000);
});

test('resume_failed is surfaced, the fresh session adopted and every channel re-subscribed', (t) => {
  const { c, seen } = client(t);
  c.subscribe('a');
  c.subscribe('b');
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1', 't-1'));
  s1.serverSends({ type: 'event', channel: 'a', data: 1, seq: 1 });
  s1.serverCloses(4000);
  const s2 = nextSocket(t);
  s2.serverSends(connected('s-2', 't-2'));
  s2.serverSends({ type: 'resume_failed', reason: 'gap', channels: ['a'] });
  const failed = seen.find((e) => e.type === 'resumefailed');
  assert.deepEqual(failed, { type: 'resumefailed', reason: 'gap', lostAfterSeq: 1, channels: ['a', 'b'], lostChannels: ['a'] });
  assert.deepEqual(c.session, { sessionId: 's-2', resumeToken: 't-2' });
  assert.equal(c.lastSeq, 0);
  assert.deepEqual(s2.sent.slice(1), [{ type: 'subscribe', channel: 'a' }, { type: 'subscribe', channel: 'b' }]);
  s2.serverSends({ type: 'event', channel: 'a', data: 1, seq: 1 });
  assert.equal(seen.filter((e) => e.type === 'event').length, 2, 'seq 1 of the new session is not a duplicate');
  c.disconnect();
});

test('a gap in seq is reported, never silent', (t) => {
  const { c, seen } = client(t);
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1', 't-1'));
  s1.serverSends({ type: 'event', channel: 'a', data: 1, seq: 1 });
  s1.serverSends({ type: 'event', channel: 'a', data: 4, seq: 4 });
  assert.deepEqual(seen.find((e) => e.type === 'gap'), { type: 'gap', expected: 2, got: 4 });
  c.disconnect();
});

test('4001 (session taken over) and 1009 stop reconnecting', (t) => {
  for (const [code, state] of [[4001, 'disconnected'], [1009, 'error']]) {
    const { c, seen } = client(t);
    c.connect();
    FakeSocket.all[0].serverSends(connected('s-1', 't-1'));
    FakeSocket.all[0].serverCloses(code);
    assert.equal(c.state, state, `${code}`);
    assert.equal(seen.filter((e) => e.type === 'giveup').length, 1);
    assert.equal(FakeSocket.all.length, 1, 'no new socket');
  }
});

test('gives up after maxAttempts failed attempts and says so', (t) => {
  const { c, seen } = client(t, { reconnect: { initialDelay: 1, maxDelay: 1, maxAttempts: 2 } });
  c.connect();
  for (let i = 0; i < 2; i++) {
    FakeSocket.all.at(-1).serverCloses(1006);
    nextSocket(t);
  }
  FakeSocket.all.at(-1).serverCloses(1006);
  assert.equal(c.state, 'error');
  assert.match(seen.find((e) => e.type === 'giveup').reason, /gave up after 2 reconnect attempts/);
});

test('offline queue policy error throws and reports', (t) => {
  const { c, seen } = client(t, { queueLimit: 1, overflow: 'error' });
  assert.equal(c.send({ type: 'echo' }), 'queued');
  assert.throws(() => c.send({ type: 'echo' }), QueueFullError);
  assert.equal(seen.filter((e) => e.type === 'queueoverflow').length, 1);
});

test('disconnect() during the wait before a reconnect cancels it', (t) => {
  const { c } = client(t, { reconnect: { initialDelay: 5, maxDelay: 5 } });
  c.connect();
  FakeSocket.all[0].serverSends(connected('s-1', 't-1'));
  FakeSocket.all[0].serverCloses(1006);
  assert.equal(c.state, 'disconnected');
  c.disconnect();
  t.mock.timers.tick(30);
  assert.equal(FakeSocket.all.length, 1, 'no reconnect after disconnect()');
  assert.equal(c.state, 'disconnected');
});

test('1012 after system/shutdown reconnects after reconnectAfter and resumes', (t) => {
  const { c } = client(t);
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1', 't-1'));
  s1.serverSends({ type: 'system', event: 'shutdown', reconnectAfter: 5 });
  s1.serverCloses(1012);
  t.mock.timers.tick(4);
  assert.equal(FakeSocket.all.length, 1, 'not before reconnectAfter (5 ms)');
  t.mock.timers.tick(1);
  const s2 = FakeSocket.all[1];
  s2.serverSends(connected('s-2', 't-2'));
  assert.equal(s2.sent[0].type, 'resume');
  c.disconnect();
});

test('open tells which extensions the socket negotiated (permessage-deflate when the server compresses)', (t) => {
  const opened = [];
  for (const extensions of ['permessage-deflate; client_max_window_bits=15', undefined]) {
    const { c } = client(t);
    c.addEventListener('open', (e) => opened.push(e.detail.extensions));
    c.connect();
    FakeSocket.all[0].extensions = extensions; // undefined: a WebSocket without the property
    FakeSocket.all[0].serverSends(connected('s-1', 't-1'));
    c.disconnect();
  }
  assert.deepEqual(opened, ['permessage-deflate; client_max_window_bits=15', '']);
});
