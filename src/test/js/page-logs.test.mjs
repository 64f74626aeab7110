// The test page's logs (js/page/logs.js): what a library event or a frame becomes as a row, the
// level filter, secrets masked, the tables bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { levelVisible, logEntry, LOGGED_EVENTS, Logs, MAX_LOG, maskSecrets, messageLevel, messageType } from '../../main/webapp/js/page/logs.js';
import { FakeDocument } from './fake-dom.mjs';

test('logEntry: the rows BrowserPageIT reads (reconnecting, resumed) and the wake-up events', () => {
  assert.deepEqual(logEntry('reconnecting', { attempt: 1, delay: 4000, code: 1000, reason: 'backoff' }),
    ['warn', 'reconnecting', 'attempt 1 in 4000 ms after 1000 (backoff)']);
  assert.deepEqual(logEntry('resumed', { replayed: 4, lastSeq: 7 }), ['info', 'resumed', 'replayed 4 events, lastSeq 7']);
  assert.deepEqual(logEntry('wakeup', { trigger: 'online', action: 'reconnect', gap: 0 }),
    ['info', 'wakeup', 'online: reconnecting now, without waiting out the delay']);
  assert.deepEqual(logEntry('wakeup', { trigger: 'sleep', action: 'check', gap: 7000 }),
    ['info', 'wakeup', 'sleep (timer 7000 ms late): checking the connection with a ping']);
  assert.deepEqual(logEntry('paused', { reason: 'offline' }), ['warn', 'paused', 'offline: the reconnect waits for the network']);
  assert.deepEqual(logEntry('open', { clientId: null, sessionId: null }), ['info', 'open', 'socket open'], 'legacy: no ids');
  assert.deepEqual(logEntry('open', { clientId: 'c-1', sessionId: 's-1' }), ['info', 'open', 'clientId c-1, fresh session s-1']);
  assert.equal(logEntry('message', {}), null);
  for (const type of LOGGED_EVENTS) assert.notEqual(logEntry(type, sample()), null, type);
});

/** A detail with every field some logged event reads. */
function sample() {
  return { state: 'connected', previous: 'connecting', reason: 'r', code: 1006, ownRequest: false, wasClean: false, channels: [], error: new Error('x'),
    trigger: 'online', action: 'check', gap: 0, expected: 1, got: 3, attempt: 1, delay: 10, sub: 'pia', expiresAt: 0, channel: 'c', replayed: 0,
    lastSeq: 0, lostAfterSeq: 0, seq: 1, reconnectAfter: 1, silentFor: 1, policy: 'drop-oldest' };
}

test('logEntry: a close is an error only when it ends the connection without being asked to', () => {
  assert.equal(logEntry('close', { code: 1000, ownRequest: true, wasClean: true })[0], 'info');
  assert.equal(logEntry('close', { code: 1000, ownRequest: false, wasClean: true })[0], 'info', 'an operator\'s close: reconnects');
  assert.equal(logEntry('close', { code: 1006, ownRequest: false, wasClean: false })[0], 'warn');
  assert.deepEqual(logEntry('close', { code: 1009, reason: 'too big', ownRequest: false, wasClean: true }), ['error', 'close', 'code 1009 “too big”']);
  assert.equal(logEntry('statechange', { state: 'error', previous: 'connecting', reason: 'gave up' })[0], 'error');
  assert.equal(logEntry('error', { error: new Error('rate_limited: slow down'), code: 'rate_limited' })[0], 'warn');
});

test('messageType and messageLevel: system frames by event, text and binary, pings and heartbeats are debug', () => {
  assert.equal(messageType('{}', { type: 'system', event: 'connected' }), 'system/connected');
  assert.equal(messageType('x', { type: 'pong' }), 'pong');
  assert.equal(messageType('plain legacy text', null), 'text');
  assert.equal(messageType(new ArrayBuffer(2), null), 'binary');
  assert.equal(messageLevel('heartbeat', 'in'), 'debug');
  assert.equal(messageLevel('ack', 'out'), 'debug');
  assert.equal(messageLevel('ack', 'in'), 'info');
  assert.equal(messageLevel('error', 'in'), 'warn');
});

test('levelVisible: the filter shows its level and above', () => {
  assert.equal(levelVisible('debug', 'info'), false);
  assert.equal(levelVisible('warn', 'info'), true);
  assert.equal(levelVisible('error', 'error'), true);
});

test('maskSecrets: a token or resume token keeps its first 4 characters', () => {
  assert.equal(maskSecrets('{"type":"auth","token":"eyJhbGciOi.abc.def","id":"auth"}'), '{"type":"auth","token":"eyJh…","id":"auth"}');
  assert.equal(maskSecrets('{"resumeToken": "q8Zr1Lk0VbN3"}'), '{"resumeToken": "q8Zr…"}');
});

test('Logs: newest row first, hidden below the filter, secrets masked, at most MAX_LOG rows and entries', () => {
  const doc = new FakeDocument();
  let level = 'info';
  const logs = new Logs({ events: doc.get('event-log'), messages: doc.get('message-log'), level: () => level, now: () => 0 });
  logs.event('info', 'open', 'first');
  logs.event('debug', 'duplicate', 'second');
  const rows = doc.get('event-log').tBodies[0].rows;
  assert.deepEqual(rows.map((tr) => tr.dataset.event), ['duplicate', 'open']);
  assert.equal(rows[0].classList.contains('hidden'), true);
  level = 'debug';
  logs.applyLevel();
  assert.equal(rows[0].classList.contains('hidden'), false);

  logs.message('out', '{"type":"auth","token":"secret-token-value"}', { type: 'auth' }, 44);
  const row = doc.get('message-log').tBodies[0].rows[0];
  assert.deepEqual({ ...row.dataset }, { dir: 'out', type: 'auth', level: 'info' });
  assert.equal(row.cells[4], '{"type":"auth","token":"secr…"}');
  assert.equal(logs.messages[0].content, '{"type":"auth","token":"secr…"}', 'the export is masked too');

  for (let i = 0; i < MAX_LOG + 5; i++) logs.event('info', 'n', String(i));
  assert.equal(rows.length, MAX_LOG);
  assert.equal(logs.events.length, MAX_LOG);
  assert.equal(rows[0].cells[3], String(MAX_LOG + 4));
  logs.clear();
  assert.equal(logs.events.length + logs.messages.length + doc.get('event-log').tBodies[0].rows.length, 0);
});
