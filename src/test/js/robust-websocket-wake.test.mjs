// Awake after sleep (docs/client.md): `online`, `visibilitychange` to visible and a timer that
// fires late check the connection at once with a ping; no pong within wakeTimeout and the
// socket is dropped with 4100 and reconnected without a backoff wait; `offline` pauses the wait
// for a reconnect until `online`. The environment is a fake (options.environment); Node's mock
// timers, Date included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  browserEnvironment, CLOSE_CLIENT_RECONNECT, RobustWebSocket, sleepGap, wakeDecision,
} from '../../main/webapp/js/robust-websocket.js';
import { advance, sleep } from './clock.mjs';
import { FakeEnvironment } from './fake-environment.mjs';
import { FakeSocket } from './fake-socket.mjs';

const strategy = { initialDelay: 5000, maxDelay: 5000, multiplier: 1, jitter: 0, maxAttempts: 10 };

function connected(session) {
  return {
    type: 'system', event: 'connected', clientId: `c-${session}`, sessionId: session, resumeToken: `t-${session}`, serverTime: 1,
    config: { heartbeatInterval: 25000, heartbeatTimeout: 60000, maxMessageBytes: 65536, reconnectStrategy: strategy },
  };
}

function client(t, options = {}) {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_700_000_000_000 });
  FakeSocket.all = [];
  const environment = new FakeEnvironment();
  const c = new RobustWebSocket('ws://test/ws', { WebSocket: FakeSocket, environment, reconnect: strategy, ...options });
  const seen = [];
  for (const type of ['wakeup', 'paused', 'close', 'reconnecting', 'heartbeattimeout']) c.addEventListener(type, (e) => seen.push({ type, ...e.detail }));
  return { c, seen, environment };
}

function connectedClient(t, options) {
  const { c, seen, environment } = client(t, options);
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1'));
  return { c, seen, environment, s1 };
}

const pings = (socket) => socket.sent.filter((m) => m.type === 'ping');
const pong = (socket) => socket.serverSends({ type: 'pong', timestamp: pings(socket).at(-1).timestamp, serverTime: 1 });
const only = (seen, type) => seen.filter((e) => e.type === type).map(({ type: _, ...detail }) => detail);

test('wakeDecision: check a ready connection, cut a reconnect wait short on online, pause it on offline', () => {
  const table = {
    online: { ready: 'check', waiting: 'reconnect', paused: 'reconnect', other: 'none' },
    visible: { ready: 'check', waiting: 'none', paused: 'none', other: 'none' },
    sleep: { ready: 'check', waiting: 'none', paused: 'none', other: 'none' },
    offline: { ready: 'none', waiting: 'pause', paused: 'none', other: 'none' },
  };
  for (const [trigger, row] of Object.entries(table)) {
    for (const [phase, action] of Object.entries(row)) assert.equal(wakeDecision(trigger, phase), action, `${trigger} ${phase}`);
  }
});

test('sleepGap: how much later than its period a tick fired', () => {
  assert.equal(sleepGap(0, 1000, 1000), 0);
  assert.equal(sleepGap(0, 900, 1000), 0);
  assert.equal(sleepGap(0, 61_000, 1000), 60_000);
});

test('online while connected: a ping at once; its pong keeps the connection', (t) => {
  const { c, seen, environment, s1 } = connectedClient(t);
  environment.goOnline();
  assert.deepEqual(only(seen, 'wakeup'), [{ trigger: 'online', action: 'check', gap: 0 }]);
  assert.equal(pings(s1).length, 1);
  t.mock.timers.tick(500);
  pong(s1);
  advance(t, 10_000);
  assert.equal(s1.closed, null);
  assert.equal(c.state, 'connected');
  c.disconnect();
});

test('visible, no pong within wakeTimeout (3 s): closed with 4100 and reconnected at once, then resumed', (t) => {
  const { c, seen, environment, s1 } = connectedClient(t);
  environment.hide();
  assert.equal(pings(s1).length, 0, 'hidden: nothing to check');
  environment.show();
  assert.deepEqual(only(seen, 'wakeup'), [{ trigger: 'visible', action: 'check', gap: 0 }]);
  environment.show(); // a second signal during the check sends no second ping
  assert.equal(pings(s1).length, 1);
  t.mock.timers.tick(2_999);
  assert.equal(s1.closed, null);
  t.mock.timers.tick(1);
  assert.equal(s1.closed.code, CLOSE_CLIENT_RECONNECT);
  assert.equal(only(seen, 'close')[0].code, 1006, 'handled as a drop');
  assert.equal(only(seen, 'reconnecting')[0].delay, 0, 'no backoff wait (the strategy says 5 s)');
  assert.equal(only(seen, 'reconnecting')[0].attempt, 1, 'the attempt counts');
  t.mock.timers.tick(0);
  const s2 = FakeSocket.all[1];
  s2.serverSends(connected('s-2'));
  assert.equal(s2.sent[0].type, 'resume');
  c.disconnect();
});

test('a heartbeat tick more than sleepGap late (the machine slept): checked at once, without waiting for the heartbeat timeout', (t) => {
  const { c, seen, s1 } = connectedClient(t);
  advance(t, 25_000);
  assert.equal(pings(s1).length, 1, 'the heartbeat ping, outstanding when the machine sleeps');
  assert.equal(only(seen, 'wakeup').length, 0, 'no gap while the clock runs normally');
  sleep(t, 600_000);
  t.mock.timers.tick(1000);
  const [wake] = only(seen, 'wakeup');
  assert.equal(wake.trigger, 'sleep');
  assert.equal(wake.action, 'check');
  assert.ok(wake.gap >= 599_000, `${wake.gap}`);
  assert.equal(s1.closed, null, 'the ping from before the sleep is no timeout: the check decides');
  assert.equal(pings(s1).length, 2);
  advance(t, 3_000);
  assert.equal(s1.closed.code, CLOSE_CLIENT_RECONNECT);
  assert.equal(only(seen, 'heartbeattimeout').length, 0);
  assert.equal(only(seen, 'reconnecting')[0].delay, 0);
  c.disconnect();
});

test('after a sleep, a pong within wakeTimeout keeps the connection', (t) => {
  const { c, s1 } = connectedClient(t);
  sleep(t, 60_000);
  t.mock.timers.tick(1000);
  pong(s1);
  advance(t, 10_000);
  assert.equal(s1.closed, null);
  assert.equal(c.state, 'connected');
  c.disconnect();
});

test('sleepGap (5 s by default): a tick 4,999 ms late is no sleep, 5,000 ms late is', (t) => {
  const { c, seen } = connectedClient(t);
  sleep(t, 4_999);
  t.mock.timers.tick(1000);
  assert.equal(only(seen, 'wakeup').length, 0);
  advance(t, 2_000);
  sleep(t, 5_000);
  t.mock.timers.tick(1000);
  assert.deepEqual(only(seen, 'wakeup'), [{ trigger: 'sleep', action: 'check', gap: 5_000 }]);
  c.disconnect();
});

test('environment null: no signals are listened to', (t) => {
  const { c } = client(t, { environment: null });
  c.connect();
  assert.equal(c._wake.watching, false);
  c.disconnect();
});

test('offline pauses the wait for a reconnect; online reconnects at once', (t) => {
  const { c, seen, environment, s1 } = connectedClient(t);
  s1.serverCloses(1006);
  assert.equal(only(seen, 'reconnecting')[0].delay, 5000);
  environment.goOffline();
  assert.deepEqual(only(seen, 'paused'), [{ reason: 'offline' }]);
  advance(t, 120_000);
  assert.equal(FakeSocket.all.length, 1, 'no attempt while offline');
  assert.equal(c.attempt, 1, 'none used up');
  environment.goOnline();
  assert.deepEqual(only(seen, 'wakeup'), [{ trigger: 'online', action: 'reconnect', gap: 0 }]);
  assert.equal(FakeSocket.all.length, 2, 'at once');
  FakeSocket.all[1].serverSends(connected('s-2'));
  assert.equal(FakeSocket.all[1].sent[0].type, 'resume');
  c.disconnect();
});

test('a close while offline waits for online without scheduling an attempt', (t) => {
  const { c, seen, environment, s1 } = connectedClient(t);
  environment.goOffline();
  assert.equal(c.state, 'connected', 'offline alone does not drop a connection');
  s1.serverCloses(1006);
  assert.equal(only(seen, 'reconnecting').length, 0);
  assert.equal(only(seen, 'paused').length, 1);
  assert.equal(c.state, 'disconnected');
  advance(t, 60_000);
  assert.equal(FakeSocket.all.length, 1);
  environment.goOnline();
  assert.equal(FakeSocket.all.length, 2);
  c.disconnect();
});

test('online during a backoff wait reconnects at once; visible does not', (t) => {
  const { c, environment, s1 } = connectedClient(t);
  s1.serverCloses(1006);
  environment.show();
  assert.equal(FakeSocket.all.length, 1, 'visible keeps the backoff');
  environment.goOnline();
  assert.equal(FakeSocket.all.length, 2);
  c.disconnect();
});

test('the listeners are added on connect and removed when the client stops', (t) => {
  const { c, environment } = client(t);
  assert.equal(environment.listeners, 0);
  c.connect();
  assert.equal(environment.listeners, 3);
  c.disconnect();
  FakeSocket.all[0].serverCloses(1000);
  assert.equal(environment.listeners, 0);
  environment.goOnline();
  assert.equal(FakeSocket.all.length, 1, 'a stopped client stays stopped');
});

test('browserEnvironment: online/offline from the window, visibilitychange from its document; none without a document', () => {
  const window = new EventTarget();
  window.document = new EventTarget();
  window.document.visibilityState = 'hidden';
  window.navigator = { onLine: false };
  const environment = browserEnvironment(window);
  assert.equal(environment.online, false);
  assert.equal(environment.visible, false);
  window.navigator.onLine = true;
  window.document.visibilityState = 'visible';
  assert.equal(environment.online, true);
  assert.equal(environment.visible, true);
  const heard = [];
  for (const type of ['online', 'offline', 'visibilitychange']) environment.addEventListener(type, () => heard.push(type));
  window.dispatchEvent(new Event('online'));
  window.dispatchEvent(new Event('offline'));
  window.document.dispatchEvent(new Event('visibilitychange'));
  window.dispatchEvent(new Event('visibilitychange'));
  assert.deepEqual(heard, ['online', 'offline', 'visibilitychange']);
  assert.equal(browserEnvironment(), null, 'Node has no document');
});
