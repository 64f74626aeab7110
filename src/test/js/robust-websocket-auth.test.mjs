// Unit tests of the browser client library's authentication (docs/security.md): the token sent
// with `auth` first on every connection, refreshed before `exp`, and the close codes 4003, 4004,
// 4005 and 4009. A scripted fake socket; Node's mock timers for the refresh.
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { closeCodeRule, RobustWebSocket, tokenRefreshDelay } from '../../main/webapp/js/robust-websocket.js';
import { advance } from './clock.mjs';
import { FakeSocket } from './fake-socket.mjs';

const fast = { initialDelay: 1, maxDelay: 1, multiplier: 1.5, jitter: 0, maxAttempts: 10 };

function connected(session, extra = {}) {
  return {
    type: 'system', event: 'connected', clientId: `c-${session}`, sessionId: session, resumeToken: `t-${session}`,
    serverTime: 1, config: { heartbeatInterval: 60000, heartbeatTimeout: 120000, maxMessageBytes: 65536, reconnectStrategy: fast },
    ...extra,
  };
}

function client(options) {
  FakeSocket.all = [];
  const c = new RobustWebSocket('ws://test/ws', { WebSocket: FakeSocket, ackInterval: 60000, ...options });
  const seen = [];
  for (const type of ['statechange', 'authenticated', 'giveup', 'unsubscribed', 'reconnecting']) {
    c.addEventListener(type, (e) => seen.push({ type, ...e.detail }));
  }
  return { c, seen };
}

/** Lets the client's awaited promises (getToken) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const nextSocket = () => new Promise((resolve) => {
  const n = FakeSocket.all.length;
  const poll = () => (FakeSocket.all.length > n ? resolve(FakeSocket.all.at(-1)) : setImmediate(poll));
  poll();
});

test('close codes of authentication: 4003 and 4009 are final, 4004 and 4005 reconnect', () => {
  assert.equal(closeCodeRule(4003), 'never');
  assert.equal(closeCodeRule(4009), 'never');
  assert.equal(closeCodeRule(4004), 'backoff');
  assert.equal(closeCodeRule(4005), 'backoff');
});

test('tokenRefreshDelay: refreshBefore ahead of exp, halfway for a short token, at least 1 s', () => {
  assert.equal(tokenRefreshDelay(0, 600_000, 30_000), 570_000);
  assert.equal(tokenRefreshDelay(0, 3_600_000, 30_000), 3_570_000);
  assert.equal(tokenRefreshDelay(0, 40_000, 30_000), 20_000);
  assert.equal(tokenRefreshDelay(0, 3_000, 30_000), 1_500);
  assert.equal(tokenRefreshDelay(0, 500, 30_000), 1_000);
});

test('auth is the first frame, and on a reconnect resume follows its answer', async () => {
  const { c, seen } = client({ token: 'jwt-1' });
  c.subscribe('news');
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1'));
  await settle();
  assert.deepEqual(s1.sent, [{ type: 'auth', token: 'jwt-1', id: 'auth' }]);
  assert.equal(c.state, 'connecting', 'not connected before authenticated');
  s1.serverSends({ type: 'authenticated', id: 'auth', sub: 'alice', expiresAt: Date.now() + 600_000 });
  assert.equal(c.state, 'connected');
  assert.deepEqual(s1.sent[1], { type: 'subscribe', channel: 'news' });
  assert.equal(c.identity.sub, 'alice');
  s1.serverSends({ type: 'event', channel: 'news', data: 1, seq: 1 });

  const waiting = nextSocket();
  s1.serverCloses(1006);
  const s2 = await waiting;
  s2.serverSends(connected('s-2'));
  await settle();
  assert.deepEqual(s2.sent, [{ type: 'auth', token: 'jwt-1', id: 'auth' }]);
  s2.serverSends({ type: 'authenticated', id: 'auth', sub: 'alice', expiresAt: Date.now() + 600_000 });
  assert.deepEqual(s2.sent[1], { type: 'resume', sessionId: 's-1', resumeToken: 't-s-1', lastSeq: 1 });
  assert.equal(seen.filter((e) => e.type === 'authenticated').length, 2);
  c.disconnect();
});

test('getToken is asked before every connection and the token is refreshed before exp', async (t) => {
  // Date too: the refresh is due 30 s before exp, 60 s after the answer to the millisecond
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'], now: 1_700_000_000_000 });
  let issued = 0;
  const { c } = client({ getToken: async () => `jwt-${++issued}`, refreshBefore: 30_000 });
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1'));
  await settle();
  assert.deepEqual(s1.sent, [{ type: 'auth', token: 'jwt-1', id: 'auth' }]);
  s1.serverSends({ type: 'authenticated', id: 'auth', sub: 'alice', expiresAt: Date.now() + 90_000 });
  advance(t, 59_999);
  await settle();
  assert.equal(s1.sent.length, 1, 'not yet');
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(s1.sent.at(-1), { type: 'auth', token: 'jwt-2', id: 'refresh' });
  assert.equal(c.state, 'connected', 'a refresh is no reconnect');
  c.disconnect();
});

test('4003 gives up with a static token, and with getToken only if it gives the same token', async () => {
  const fixed = client({ token: 'bad' });
  fixed.c.connect();
  FakeSocket.all[0].serverSends(connected('s-1'));
  await settle();
  FakeSocket.all[0].serverCloses(4003);
  assert.equal(fixed.c.state, 'error');
  assert.equal(fixed.seen.filter((e) => e.type === 'giveup').length, 1);

  const same = client({ getToken: () => 'bad' });
  same.c.connect();
  FakeSocket.all[0].serverSends(connected('s-1'));
  await settle();
  FakeSocket.all[0].serverCloses(4003);
  await settle();
  assert.equal(same.c.state, 'error');
  assert.equal(FakeSocket.all.length, 1, 'no reconnect with the refused token');

  let n = 0;
  const fresh = client({ getToken: () => `jwt-${++n}` });
  fresh.c.connect();
  FakeSocket.all[0].serverSends(connected('s-1'));
  await settle();
  const waiting = nextSocket();
  FakeSocket.all[0].serverCloses(4003);
  const s2 = await waiting;
  s2.serverSends(connected('s-2'));
  await settle();
  assert.deepEqual(s2.sent[0], { type: 'auth', token: 'jwt-3', id: 'auth' });
  fresh.c.disconnect();
});

test('4004 reconnects with a fresh token from getToken, and gives up without one', async () => {
  let n = 0;
  const renewing = client({ getToken: () => `jwt-${++n}` });
  renewing.c.connect();
  FakeSocket.all[0].serverSends(connected('s-1'));
  await settle();
  FakeSocket.all[0].serverSends({ type: 'authenticated', id: 'auth', sub: 'a', expiresAt: Date.now() + 600_000 });
  const waiting = nextSocket();
  FakeSocket.all[0].serverCloses(4004);
  const s2 = await waiting;
  s2.serverSends(connected('s-2'));
  await settle();
  assert.deepEqual(s2.sent[0], { type: 'auth', token: 'jwt-2', id: 'auth' });
  s2.serverSends({ type: 'authenticated', id: 'auth', sub: 'a', expiresAt: Date.now() + 600_000 });
  assert.equal(s2.sent[1].type, 'resume', 'and resumes');
  renewing.c.disconnect();

  const fixed = client({ token: 'old' });
  fixed.c.connect();
  FakeSocket.all[0].serverSends(connected('s-1'));
  await settle();
  FakeSocket.all[0].serverCloses(4004);
  assert.equal(fixed.c.state, 'error');
  assert.match(fixed.seen.find((e) => e.type === 'giveup').reason, /4004/);
});

test('4005 is retried with backoff; 4009 is final', async () => {
  const { c, seen } = client({ token: 'jwt', reconnect: fast });
  c.connect();
  const waiting = nextSocket();
  FakeSocket.all[0].serverCloses(4005);
  await waiting;
  assert.equal(seen.filter((e) => e.type === 'reconnecting').length, 1);
  FakeSocket.all.at(-1).serverCloses(4009);
  assert.equal(c.state, 'error');
});

test('a server without a verifier answers auth_not_configured: the client carries on without', async () => {
  const { c } = client({ token: 'jwt' });
  c.subscribe('news');
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1'));
  await settle();
  s1.serverSends({ type: 'error', error: 'auth_not_configured', message: 'x', ref: 'auth' });
  assert.equal(c.state, 'connected');
  assert.deepEqual(s1.sent[1], { type: 'subscribe', channel: 'news' });
  c.disconnect();
});

test('an identity from the upgrade request needs no auth; a forbidden channel is dropped', () => {
  const { c, seen } = client({ token: 'jwt' });
  c.subscribe('admin:audit');
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends(connected('s-1', { sub: 'alice', expiresAt: Date.now() + 600_000 }));
  assert.equal(c.state, 'connected');
  assert.deepEqual(s1.sent, [{ type: 'subscribe', channel: 'admin:audit' }]);
  s1.serverSends({ type: 'unsubscribed', channel: 'admin:audit', reason: 'forbidden' });
  assert.deepEqual(seen.find((e) => e.type === 'unsubscribed'), { type: 'unsubscribed', channel: 'admin:audit', reason: 'forbidden' });
  assert.equal(c.channels.has('admin:audit'), false, 'not subscribed again on the next connect');
  c.disconnect();
});

test('a failing getToken counts as a failed attempt and is retried', async () => {
  let calls = 0;
  const { c } = client({ getToken: async () => { calls++; if (calls === 1) throw new Error('idp down'); return 'jwt'; } });
  const errors = [];
  c.addEventListener('error', (e) => errors.push(e.detail.error.message));
  c.connect();
  const waiting = nextSocket();
  FakeSocket.all[0].serverSends(connected('s-1'));
  const s2 = await waiting;
  assert.deepEqual(errors, ['idp down']);
  s2.serverSends(connected('s-2'));
  await settle();
  assert.deepEqual(s2.sent[0], { type: 'auth', token: 'jwt', id: 'auth' });
  c.disconnect();
});

mock.reset();

test('new tokens refused again and again stop after maxAttempts', async () => {
  let n = 0;
  const { c, seen } = client({ getToken: () => `jwt-${++n}`, reconnect: { ...fast, maxAttempts: 2 } });
  c.connect();
  for (let i = 0; i < 2; i++) {
    const waiting = nextSocket();
    FakeSocket.all.at(-1).serverSends(connected(`s-${i}`));
    await settle();
    FakeSocket.all.at(-1).serverCloses(4003);
    await waiting;
  }
  FakeSocket.all.at(-1).serverSends(connected('s-last'));
  await settle();
  FakeSocket.all.at(-1).serverCloses(4003);
  await settle();
  assert.equal(c.state, 'error');
  assert.equal(FakeSocket.all.length, 3, 'two reconnects, then no more');
  assert.equal(seen.filter((e) => e.type === 'giveup').length, 1);
});
