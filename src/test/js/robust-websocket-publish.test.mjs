// Publications acknowledged and applied once (docs/client.md, "Publishing"): publish() resolves
// with the server's ack or rejects with a PublishError per code; publications without an ack are
// sent again, with their ids, after a reconnect; the server's idempotency (docs/protocol.md
// section 3) is played by the scripted fake socket. Node's mock timers, no real waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublishError, RobustWebSocket } from '../../main/webapp/js/robust-websocket.js';
import { newIdPrefix, Publications } from '../../main/webapp/js/publications.js';
import { advance } from './clock.mjs';
import { FakeSocket } from './fake-socket.mjs';

const fast = { initialDelay: 1000, maxDelay: 1000, multiplier: 1, jitter: 0, maxAttempts: 3 };

function connected(session, config = {}) {
  return {
    type: 'system', event: 'connected', clientId: `c-${session}`, sessionId: session, resumeToken: `t-${session}`, serverTime: 1,
    config: { heartbeatInterval: 25000, heartbeatTimeout: 60000, maxMessageBytes: 65536, reconnectStrategy: fast, ...config },
  };
}

function client(t, options = {}) {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_700_000_000_000 });
  FakeSocket.all = [];
  const c = new RobustWebSocket('ws://test/ws', { WebSocket: FakeSocket, environment: null, ...options });
  const seen = [];
  for (const type of ['error', 'giveup']) c.addEventListener(type, (e) => seen.push({ type, ...e.detail }));
  return { c, seen };
}

/** A client whose session is established on its first socket. */
function connectedClient(t, options = {}, config = {}) {
  const { c, seen } = client(t, options);
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1', config));
  return { c, seen, s1 };
}

const publishes = (socket) => socket.sent.filter((m) => m.type === 'publish');
const ack = (p, extra = {}) => ({ type: 'ack', id: p.id, channel: p.channel, delivered: 2, offset: 118, epoch: 'e1', ...extra });
/** The outcome of a promise, once the microtasks ran. */
async function outcome(promise) {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

test('publish resolves with the server\'s ack: delivered, offset, epoch; the id is generated', async (t) => {
  const { c, s1 } = connectedClient(t);
  const published = c.publish('orders.eu', { order: 42 });
  const [frame] = publishes(s1);
  assert.match(frame.id, /^p[0-9a-z]{12}-1$/);
  assert.deepEqual(frame, { type: 'publish', channel: 'orders.eu', data: { order: 42 }, id: frame.id });
  assert.equal(c.pendingPublications, 1);
  s1.serverSends(ack(frame, { delivered: 3 }));
  assert.deepEqual(await published, { id: frame.id, channel: 'orders.eu', delivered: 3, offset: 118, epoch: 'e1', repeated: false });
  assert.equal(c.pendingPublications, 0);
  c.disconnect();
});

test('ids: a random prefix per client instance, then a counter; ids never repeat', (t) => {
  const a = connectedClient(t);
  a.c.publish('x', 1).catch(() => {});
  a.c.publish('x', 2).catch(() => {});
  const b = new RobustWebSocket('ws://test/ws', { WebSocket: FakeSocket, environment: null });
  const [first, second] = publishes(a.s1).map((p) => p.id);
  assert.equal(first.replace(/-1$/, '-2'), second);
  assert.notEqual(b.publications.prefix, a.c.publications.prefix);
  const prefixes = new Set(Array.from({ length: 1000 }, () => newIdPrefix()));
  assert.equal(prefixes.size, 1000);
  assert.match(newIdPrefix({ getRandomValues: (words) => words.fill(0xffffffff) }), /^p[0-9a-z]{12}$/);
  a.c.disconnect();
});

test('rejects with a PublishError carrying the server\'s code; the error event still fires', async (t) => {
  const { c, s1, seen } = connectedClient(t);
  for (const code of ['rate_limited', 'forbidden', 'invalid_channel', 'unauthenticated', 'a_newer_code']) {
    const published = c.publish('news:eu', 'x');
    const frame = publishes(s1).at(-1);
    s1.serverSends({ type: 'error', error: code, message: `refused: ${code}`, ref: frame.id });
    const { error } = await outcome(published);
    assert.ok(error instanceof PublishError, code);
    assert.equal(error.name, 'PublishError');
    assert.deepEqual([error.code, error.id, error.channel, error.sent], [code, frame.id, 'news:eu', false]);
    assert.equal(error.message, `${code}: refused: ${code}`);
  }
  assert.equal(seen.filter((e) => e.type === 'error').length, 5);
  assert.equal(c.pendingPublications, 0, 'a refused publication is not sent again');
  c.disconnect();
});

test('no ack within publishTimeout (30 s): rejects with timeout, and is not sent again', async (t) => {
  const { c, s1 } = connectedClient(t);
  let settled = null;
  const published = c.publish('a', 1).then(() => (settled = 'resolved'), (e) => (settled = e));
  advance(t, 29_999);
  await Promise.resolve();
  assert.equal(settled, null);
  t.mock.timers.tick(1);
  await published;
  assert.equal(settled.code, 'timeout');
  assert.equal(settled.sent, true, 'it went out: the server may have applied it');
  s1.serverSends(ack(publishes(s1)[0])); // a late ack is ignored
  assert.equal(c.pendingPublications, 0);
  c.disconnect();
});

test('the timeout counts from publish(), queued time included', async (t) => {
  const { c } = client(t);
  const waiting = outcome(c.publish('a', 1));
  advance(t, 30_000);
  const { error } = await waiting;
  assert.deepEqual([error.code, error.sent], ['timeout', false]);
});

test('publishTimeout 0 waits for ever; {timeout} sets it per publication', async (t) => {
  const { c, s1 } = connectedClient(t, { publishTimeout: 0, heartbeatTimeout: 3_600_000 });
  const forever = c.publish('a', 1);
  const short = outcome(c.publish('a', 2, { timeout: 500 }));
  advance(t, 600_000);
  assert.equal((await short).error.code, 'timeout');
  assert.equal(c.pendingPublications, 1);
  s1.serverSends(ack(publishes(s1)[0]));
  assert.equal((await forever).offset, 118);
  c.disconnect();
});

test('while disconnected a publication waits; it is sent once the session is established, after the subscriptions and before the offline queue', (t) => {
  const { c } = client(t);
  c.subscribe('orders');
  c.publish('orders', 'early').catch(() => {});
  assert.equal(c.send({ type: 'echo', payload: 'queued' }), 'queued');
  assert.equal(c.pendingPublications, 1);
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1'));
  assert.deepEqual(s1.sent.map((m) => m.type), ['subscribe', 'publish', 'echo']);
  c.disconnect();
});

test('sent again after a reconnect, with the same id, after resumed; once acked, never again', async (t) => {
  const { c, s1 } = connectedClient(t);
  const p1 = c.publish('a', 1);
  const p2 = c.publish('a', 2);
  const [f1, f2] = publishes(s1);
  s1.serverSends(ack(f1, { offset: 1 }));
  assert.equal((await p1).offset, 1);
  s1.serverCloses(1006); // f2's ack was lost with the connection
  const p3 = c.publish('a', 3); // while disconnected
  assert.equal(c.pendingPublications, 2);

  advance(t, 1000);
  const s2 = FakeSocket.all[1];
  s2.serverSends(connected('s-2'));
  assert.deepEqual(s2.sent.map((m) => m.type), ['resume'], 'nothing before the resume is answered');
  s2.serverSends({ type: 'resumed', sessionId: 's-1', resumeToken: 't-s-1b', replayed: 0, lastSeq: 0 });
  const again = publishes(s2);
  assert.deepEqual(again.map((m) => [m.id, m.data]), [[f2.id, 2], [`${f1.id.slice(0, -2)}-3`, 3]]);
  assert.deepEqual(again[0], f2, 'the same frame, the same id');
  // the server had applied f2 already: its ack is the first one's, repeated
  s2.serverSends(ack(f2, { offset: 2, delivered: 0, repeated: true }));
  assert.deepEqual(await p2, { id: f2.id, channel: 'a', delivered: 0, offset: 2, epoch: 'e1', repeated: true });
  s2.serverSends(ack(again[1], { offset: 3 }));
  assert.equal((await p3).offset, 3);

  s2.serverCloses(1006);
  advance(t, 1000);
  const s3 = FakeSocket.all[2];
  s3.serverSends(connected('s-3'));
  s3.serverSends({ type: 'resumed', sessionId: 's-1', resumeToken: 't-s-1c', replayed: 0, lastSeq: 0 });
  assert.deepEqual(publishes(s3), [], 'acked publications are not sent again');
  c.disconnect();
});

test('when the resume fails, those that went out are rejected with session_lost (sent), those that did not are sent in the fresh session', async (t) => {
  const { c, s1 } = connectedClient(t);
  c.subscribe('a');
  const inFlight = c.publish('a', 1);
  s1.serverCloses(1006);
  c.publish('a', 2).catch(() => {});
  advance(t, 1000);
  const s2 = FakeSocket.all[1];
  s2.serverSends(connected('s-2'));
  s2.serverSends({ type: 'resume_failed', reason: 'expired' });
  await assert.rejects(inFlight, (e) => e instanceof PublishError && e.code === 'session_lost' && e.sent === true);
  const sent = publishes(s2);
  assert.equal(sent.length, 1, 'only the one that never went out');
  assert.equal(sent[0].data, 2);
  assert.deepEqual(s2.sent[1], { type: 'subscribe', channel: 'a' }, 'after re-subscribing');
  c.disconnect();
});

test('with resume: false every reconnect is a fresh session: what went out is rejected with session_lost', async (t) => {
  const { c, s1 } = connectedClient(t, { resume: false });
  const inFlight = c.publish('a', 1);
  s1.serverCloses(1006);
  advance(t, 1000);
  const s2 = FakeSocket.all[1];
  s2.serverSends(connected('s-2'));
  await assert.rejects(inFlight, (e) => e instanceof PublishError && e.code === 'session_lost');
  assert.deepEqual(publishes(s2), []);
  c.disconnect();
});

test('an event carries the id of its publication', (t) => {
  const { c, s1 } = connectedClient(t);
  const ids = [];
  c.addEventListener('event', (e) => ids.push(e.detail.id));
  s1.serverSends({ type: 'event', channel: 'a', data: 1, seq: 1, offset: 1, epoch: 'e', id: 'p0-1' });
  s1.serverSends({ type: 'event', channel: 'a', data: 2, seq: 2, offset: 2, epoch: 'e' });
  assert.deepEqual(ids, ['p0-1', undefined]);
  c.disconnect();
});

test('forceReconnect() keeps them too', (t) => {
  const { c, s1 } = connectedClient(t);
  c.publish('a', 1).catch(() => {});
  c.forceReconnect();
  t.mock.timers.tick(0);
  const s2 = FakeSocket.all[1];
  s2.serverSends(connected('s-2'));
  s2.serverSends({ type: 'resumed', sessionId: 's-1', resumeToken: 't-s-1b', replayed: 0, lastSeq: 0 });
  assert.deepEqual(publishes(s2), publishes(s1));
  c.disconnect();
});

test('gave_up: disconnect() rejects those waiting once the socket closed, and any publish after it at once', async (t) => {
  const { c, s1 } = connectedClient(t);
  const sent = outcome(c.publish('a', 1));
  c.disconnect();
  const after = outcome(c.publish('a', 2));
  assert.equal((await after).error.code, 'gave_up');
  assert.equal(c.pendingPublications, 1, 'an ack may still come while the close completes');
  s1.serverCloses(1000);
  const { error } = await sent;
  assert.deepEqual([error.code, error.sent], ['gave_up', true]);
  c.connect();
  c.publish('a', 3).catch(() => {});
  assert.equal(c.pendingPublications, 1, 'connect() again: publish works again');
  c.disconnect();
});

test('an ack that arrives while disconnect() closes the socket still resolves its publication', async (t) => {
  const { c, s1 } = connectedClient(t);
  const published = c.publish('a', 1);
  c.disconnect();
  s1.serverSends(ack(publishes(s1)[0]));
  s1.serverCloses(1000);
  assert.equal((await published).offset, 118);
});

test('gave_up: after maxAttempts, after a no-reconnect code and after 4001', async (t) => {
  for (const [code, closes] of [[1006, 4], [1008, 1], [4001, 1]]) {
    const { c, seen } = client(t, { reconnect: fast });
    c.publish('a', 1).catch(() => {}); // never sent: the session is never established
    const waiting = outcome(c.publish('a', 2));
    c.connect();
    for (let i = 0; i < closes; i++) {
      FakeSocket.all.at(-1).serverCloses(code);
      advance(t, 1000);
    }
    const { error } = await waiting;
    assert.deepEqual([error.code, error.sent], ['gave_up', false], `${code}`);
    assert.equal(seen.filter((e) => e.type === 'giveup').length, 1);
    assert.equal((await outcome(c.publish('a', 3))).error.code, 'gave_up', 'at once after giveup');
    t.mock.timers.reset();
  }
});

test('queue_full: 200 publications may wait by default', async (t) => {
  const { c } = client(t);
  for (let i = 0; i < 200; i++) c.publish('a', i).catch(() => {});
  assert.equal((await outcome(c.publish('a', 200))).error.code, 'queue_full');
});

test('queue_full: at most maxPendingPublications wait, sent or not', async (t) => {
  const { c } = client(t, { maxPendingPublications: 2 });
  c.publish('a', 1).catch(() => {});
  c.publish('a', 2).catch(() => {});
  const { error } = await outcome(c.publish('a', 3));
  assert.deepEqual([error.code, error.sent], ['queue_full', false]);
  assert.equal(c.pendingPublications, 2);
});

test('too_large: a frame above maxMessageBytes is not sent (the server would close with 1009)', async (t) => {
  const { c, s1 } = connectedClient(t, {}, { maxMessageBytes: 100 });
  const { error } = await outcome(c.publish('a', 'x'.repeat(100)));
  assert.equal(error.code, 'too_large');
  assert.equal(publishes(s1).length, 0);
  c.publish('a', 'small').catch(() => {});
  assert.equal(publishes(s1).length, 1, 'the connection carries on');
  c.disconnect();
});

test('an id of your own (a string third argument, as before, or {id}); one still pending is refused', async (t) => {
  const { c, s1 } = connectedClient(t);
  const mine = c.publish('a', 1, 'order-42');
  const { error } = await outcome(c.publish('a', 2, { id: 'order-42' }));
  assert.equal(error.code, 'duplicate_id');
  assert.deepEqual(publishes(s1).map((p) => p.id), ['order-42']);
  s1.serverSends(ack({ id: 'order-42', channel: 'a' }));
  assert.equal((await mine).id, 'order-42');
  c.disconnect();
});

test('an ack or error for an id that is not pending changes nothing', (t) => {
  const { c, s1 } = connectedClient(t);
  c.publish('a', 1).catch(() => {});
  s1.serverSends({ type: 'ack', id: 'p-other', channel: 'a', delivered: 1, offset: 1, epoch: 'e' });
  s1.serverSends({ type: 'ack', channel: 'a', delivered: 1, offset: 1, epoch: 'e' });
  s1.serverSends({ type: 'error', error: 'not_subscribed', message: 'x', ref: 'r2' });
  assert.equal(c.pendingPublications, 1);
  c.disconnect();
});

test('Publications: kept in the order published, failAll rejects every one', async () => {
  const p = new Publications(10, 'pfixed');
  const a = outcome(p.add('a', 1, {}).promise);
  const b = outcome(p.add('b', 2, {}).promise);
  assert.deepEqual(p.list().map((x) => x.id), ['pfixed-1', 'pfixed-2']);
  p.failAll('gave_up', 'stopped');
  assert.deepEqual([(await a).error.code, (await b).error.code], ['gave_up', 'gave_up']);
  assert.equal(p.size, 0);
});
