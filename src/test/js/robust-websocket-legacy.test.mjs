// The library on /ws-legacy (protocol: 'legacy', docs/protocol.md section 12): ready when the
// socket opens, pings answered by a pong that carries the server's time, any other frame echoed;
// reconnects with backoff as on /ws, without sessions, resume or channels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublishError, RobustWebSocket } from '../../main/webapp/js/robust-websocket.js';
import { advance } from './clock.mjs';
import { FakeEnvironment } from './fake-environment.mjs';
import { FakeSocket } from './fake-socket.mjs';

const strategy = { initialDelay: 2000, maxDelay: 2000, multiplier: 1, jitter: 0, maxAttempts: 3 };

function legacyClient(t, options = {}) {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_700_000_000_000 });
  FakeSocket.all = [];
  const environment = new FakeEnvironment();
  const c = new RobustWebSocket('ws://test/ws-legacy', { WebSocket: FakeSocket, environment, reconnect: strategy, protocol: 'legacy', ...options });
  const seen = [];
  for (const type of ['statechange', 'open', 'latency', 'close', 'reconnecting', 'wakeup', 'giveup']) c.addEventListener(type, (e) => seen.push({ type, ...e.detail }));
  return { c, seen, environment };
}

const only = (seen, type) => seen.filter((e) => e.type === type).map(({ type: _, ...detail }) => detail);

test('legacy: connected when the socket opens, with no ids and nothing sent first (no auth, even with a token)', (t) => {
  const { c, seen } = legacyClient(t, { token: 'a.jwt.token', getToken: () => 'a.jwt.token' });
  c.connect();
  const s1 = FakeSocket.all[0];
  assert.equal(c.state, 'connecting');
  s1.opens();
  assert.equal(c.state, 'connected');
  assert.deepEqual(only(seen, 'open'), [{ clientId: null, sessionId: null, config: null, extensions: '' }]);
  assert.deepEqual(s1.sent, [], 'no resume, no auth, no subscribe');
  c.disconnect();
});

test('legacy: text and queued frames go out as they are; an echo is only a message, never acknowledged', (t) => {
  const { c } = legacyClient(t, { ackEvery: 1, ackInterval: 1000 });
  assert.equal(c.send('before the open'), 'queued');
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.opens();
  assert.equal(c.send('plain legacy text'), 'sent');
  assert.deepEqual(s1.sent, ['before the open', 'plain legacy text']);
  const messages = [];
  c.addEventListener('message', (e) => messages.push(e.detail.raw));
  c.addEventListener('event', () => assert.fail('no channel events on legacy'));
  s1.onmessage({ data: 'plain legacy text' });
  s1.serverSends({ type: 'heartbeat', timestamp: 1 });
  s1.serverSends({ type: 'event', channel: 'x', seq: 1, data: 1 }); // an echo of what a client sent
  assert.equal(messages.length, 3);
  assert.equal(c.lastSeq, 0);
  advance(t, 2000);
  assert.deepEqual(s1.sent, ['before the open', 'plain legacy text'], 'no ack');
  c.disconnect();
});

test('legacy: the latency of a ping is measured from when it went out, the pong\'s timestamp is the server\'s time', (t) => {
  const { c, seen } = legacyClient(t);
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.opens();
  assert.equal(c.ping(), true);
  assert.equal(s1.sent[0].type, 'ping');
  t.mock.timers.tick(40);
  s1.serverSends({ type: 'pong', timestamp: 42 });
  assert.deepEqual(only(seen, 'latency'), [{ rtt: 40, serverTime: 42 }]);
  assert.equal(c.latency, 40);
  c.disconnect();
});

test('legacy: the heartbeat pings, and no pong within heartbeatTimeout drops and reconnects', (t) => {
  const { c, seen } = legacyClient(t, { heartbeatInterval: 4000, heartbeatTimeout: 10000 });
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.opens();
  advance(t, 4000);
  assert.equal(s1.sent.filter((m) => m.type === 'ping').length, 1);
  advance(t, 10000);
  assert.deepEqual(s1.closed, { code: 4100, reason: 'no pong within heartbeatTimeout' });
  assert.deepEqual(only(seen, 'reconnecting'), [{ attempt: 1, delay: 2000, code: 1006, reason: 'backoff' }]);
  advance(t, 2000);
  assert.equal(FakeSocket.all.length, 2);
  FakeSocket.all[1].opens();
  assert.equal(c.state, 'connected');
  assert.equal(c.attempt, 0, 'an open legacy socket resets the attempts');
  c.disconnect();
});

test('legacy: a drop reconnects with backoff and the close-code rules of /ws; a failed open counts', (t) => {
  const { c, seen } = legacyClient(t);
  c.connect();
  FakeSocket.all[0].opens();
  FakeSocket.all[0].serverCloses(1012);
  assert.equal(c.state, 'disconnected');
  advance(t, 2000);
  FakeSocket.all[1].serverCloses(1006); // the handshake failed
  advance(t, 2000);
  FakeSocket.all[2].serverCloses(1006);
  advance(t, 2000);
  FakeSocket.all[3].serverCloses(1006);
  assert.equal(c.state, 'error');
  assert.deepEqual(only(seen, 'giveup'), [{ attempts: 3, code: 1006, reason: 'gave up after 3 reconnect attempts' }]);
  assert.equal(FakeSocket.all.length, 4);
});

test('legacy: a connect timeout before the open counts as a failed attempt', (t) => {
  const { c, seen } = legacyClient(t, { connectTimeout: 5000 });
  c.connect();
  advance(t, 5000);
  assert.deepEqual(FakeSocket.all[0].closed, { code: 4100, reason: 'connect timeout' });
  assert.equal(only(seen, 'reconnecting').length, 1);
  c.disconnect();
});

test('legacy: online cuts a reconnect wait short, as on /ws', (t) => {
  const { c, seen, environment } = legacyClient(t);
  c.connect();
  FakeSocket.all[0].opens();
  environment.goOffline();
  FakeSocket.all[0].serverCloses(1006);
  assert.equal(FakeSocket.all.length, 1, 'paused while offline');
  environment.goOnline();
  assert.equal(FakeSocket.all.length, 2);
  assert.deepEqual(only(seen, 'wakeup'), [{ trigger: 'online', action: 'reconnect', gap: 0 }]);
  c.disconnect();
});

test('legacy: no channels: subscribe and unsubscribe throw, publish rejects with unsupported', async (t) => {
  const { c } = legacyClient(t);
  c.connect();
  FakeSocket.all[0].opens();
  assert.throws(() => c.subscribe('news'), TypeError);
  assert.throws(() => c.unsubscribe('news'), TypeError);
  await assert.rejects(c.publish('news', 1), (e) => e instanceof PublishError && e.code === 'unsupported' && e.sent === false);
  assert.deepEqual(FakeSocket.all[0].sent, []);
  c.disconnect();
});
