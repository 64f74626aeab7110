// The library's timers with their shipped defaults (docs/client.md): connectTimeout 15 s, ack
// after 100 events or 5 s, and the app-level heartbeat that drops a silent connection with 4100.
// Node's mock timers, Date included, so that no test waits for real time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSE_CLIENT_RECONNECT, RobustWebSocket } from '../../main/webapp/js/robust-websocket.js';
import { advance } from './clock.mjs';
import { FakeSocket } from './fake-socket.mjs';

function connected(session, config = {}) {
  return {
    type: 'system', event: 'connected', clientId: `c-${session}`, sessionId: session, resumeToken: `t-${session}`,
    serverTime: 1, config: { heartbeatInterval: 25000, heartbeatTimeout: 60000, maxMessageBytes: 65536, ...config },
  };
}

/** A client with the library's defaults (no option of the test's own but the fake socket). */
function client(t) {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_700_000_000_000 });
  FakeSocket.all = [];
  const c = new RobustWebSocket('ws://test/ws', { WebSocket: FakeSocket });
  const seen = [];
  for (const type of ['close', 'reconnecting', 'heartbeattimeout']) c.addEventListener(type, (e) => seen.push({ type, ...e.detail }));
  return { c, seen };
}

const acks = (socket) => socket.sent.filter((m) => m.type === 'ack');

test('no system/connected within 15 s: the attempt failed, the socket is dropped and retried', (t) => {
  const { c, seen } = client(t);
  c.connect();
  const s1 = FakeSocket.all[0];
  advance(t, 14_999);
  assert.equal(s1.closed, null);
  t.mock.timers.tick(1);
  assert.equal(s1.closed.code, CLOSE_CLIENT_RECONNECT);
  assert.equal(seen.find((e) => e.type === 'close').code, 1006, 'handled as a drop');
  assert.equal(seen.filter((e) => e.type === 'reconnecting').length, 1);
  c.disconnect();
});

test('an ack after 100 events, for the last one processed', (t) => {
  const { c } = client(t);
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1'));
  for (let seq = 1; seq <= 99; seq++) s1.serverSends({ type: 'event', channel: 'a', data: seq, seq });
  assert.equal(acks(s1).length, 0);
  s1.serverSends({ type: 'event', channel: 'a', data: 100, seq: 100 });
  assert.deepEqual(acks(s1), [{ type: 'ack', seq: 100 }]);
  c.disconnect();
});

test('an ack every 5 s for fewer events, none when nothing is new', (t) => {
  const { c } = client(t);
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1'));
  s1.serverSends({ type: 'event', channel: 'a', data: 1, seq: 1 });
  advance(t, 4_999);
  assert.equal(acks(s1).length, 0);
  t.mock.timers.tick(1);
  assert.deepEqual(acks(s1), [{ type: 'ack', seq: 1 }]);
  advance(t, 5_000);
  assert.equal(acks(s1).length, 1, 'nothing new to acknowledge');
  c.disconnect();
});

test('a ping every heartbeatInterval; no pong within heartbeatTimeout: closed with 4100 and reconnected', (t) => {
  const { c, seen } = client(t);
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1'));
  advance(t, 25_000);
  const pings = () => s1.sent.filter((m) => m.type === 'ping');
  assert.equal(pings().length, 1, 'the first ping after one interval');
  s1.serverSends({ type: 'pong', timestamp: pings()[0].timestamp, serverTime: 1 });
  advance(t, 25_000);
  assert.equal(pings().length, 2);
  advance(t, 59_000);
  assert.equal(s1.closed, null, 'not yet: 59 s without a pong');
  t.mock.timers.tick(1_000);
  assert.equal(s1.closed.code, CLOSE_CLIENT_RECONNECT);
  assert.equal(seen.filter((e) => e.type === 'heartbeattimeout').length, 1);
  assert.equal(seen.find((e) => e.type === 'close').code, 1006, 'handled as a drop: reconnect and resume');
  assert.equal(seen.filter((e) => e.type === 'reconnecting').length, 1);
  c.disconnect();
});

test('reconnects after the backoff delays (1 s, then ×1.5), and starts over once a session is established', (t) => {
  const { c, seen } = client(t);
  c.setReconnectStrategy({ jitter: 0 });
  c.connect();
  FakeSocket.all[0].serverSends(connected('s-1'));
  for (const [i, delay] of [[0, 1000], [1, 1500], [2, 2250]]) {
    FakeSocket.all[i].serverCloses(1006);
    assert.equal(seen.filter((e) => e.type === 'reconnecting').at(-1).delay, delay);
    advance(t, delay - 1);
    assert.equal(FakeSocket.all.length, i + 1, `not before ${delay} ms`);
    t.mock.timers.tick(1);
    assert.equal(FakeSocket.all.length, i + 2);
  }
  FakeSocket.all[3].serverSends(connected('s-2'));
  FakeSocket.all[3].serverSends({ type: 'resumed', sessionId: 's-1', resumeToken: 't-s-1b', replayed: 0, lastSeq: 0 });
  FakeSocket.all[3].serverCloses(1006);
  assert.equal(seen.filter((e) => e.type === 'reconnecting').at(-1).delay, 1000, 'attempt reset by the session');
  c.disconnect();
});

test('no ack while a resume is pending; the first ack after resumed covers the replayed events', (t) => {
  const { c } = client(t);
  c.connect();
  FakeSocket.all[0].serverSends(connected('s-1'));
  FakeSocket.all[0].serverSends({ type: 'event', channel: 'a', data: 1, seq: 1 });
  FakeSocket.all[0].serverCloses(1006);
  advance(t, 1000);
  const s2 = FakeSocket.all[1];
  s2.serverSends(connected('s-2'));
  for (let seq = 2; seq <= 150; seq++) s2.serverSends({ type: 'event', channel: 'a', data: seq, seq });
  assert.deepEqual(acks(s2), [], '149 replayed events, no ack before resumed');
  s2.serverSends({ type: 'resumed', sessionId: 's-1', resumeToken: 't-s-1b', replayed: 149, lastSeq: 150 });
  advance(t, 5_000);
  assert.deepEqual(acks(s2), [{ type: 'ack', seq: 150 }], 'the next ack covers them');
  c.disconnect();
});
