// The test page's panels (js/page/): which controls are usable, the session and compression
// lines, the close history, the settings, the latency figures, GET /api/stats as rows and the
// frames of the messages panel. Pure functions, and a fake DOM where a module draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeRuleText, explainClose } from '../../main/webapp/js/page/close-codes.js';
import { closeEntry, compression, ConnectionPanel, controls, isReconnectPending, sessionText } from '../../main/webapp/js/page/connection-panel.js';
import { LatencySamples, percentile } from '../../main/webapp/js/page/diagnostics-chart.js';
import { formatDuration } from '../../main/webapp/js/page/format.js';
import { customJson, echoFrame, publishedText, sendResultText } from '../../main/webapp/js/page/messages.js';
import { refreshStats, statsRows } from '../../main/webapp/js/page/server-stats.js';
import { advicePlaceholders, endpointUrl, isLegacy, loadSettings, policyOverrides, saveSettings, SETTINGS_KEY } from '../../main/webapp/js/page/settings.js';
import { FakeDocument } from './fake-dom.mjs';

test('controls: Connect while idle, Disconnect also while a reconnect waits, Force reconnect only when connected', () => {
  assert.deepEqual(controls({ state: 'disconnected', hasClient: false, reconnectPending: false }),
    { connect: true, disconnect: false, forceReconnect: false, endpoint: true });
  assert.deepEqual(controls({ state: 'connected', hasClient: true, reconnectPending: false }),
    { connect: false, disconnect: true, forceReconnect: true, endpoint: false });
  assert.deepEqual(controls({ state: 'disconnected', hasClient: true, reconnectPending: true }),
    { connect: false, disconnect: true, forceReconnect: false, endpoint: false });
  assert.deepEqual(controls({ state: 'error', hasClient: true, reconnectPending: false }),
    { connect: true, disconnect: false, forceReconnect: false, endpoint: true });
  assert.equal(isReconnectPending('disconnected', 'reconnecting in 4000 ms'), true);
  assert.equal(isReconnectPending('disconnected', 'offline: the reconnect waits for the network'), false);
  assert.equal(isReconnectPending('disconnected', 'closed by the application'), false);
});

test('compression and session lines', () => {
  assert.deepEqual(compression('permessage-deflate; client_max_window_bits'), { negotiated: true, text: 'Compression: on (permessage-deflate; client_max_window_bits)' });
  assert.deepEqual(compression(''), { negotiated: false, text: 'Compression: off' });
  assert.equal(sessionText({ clientId: 'c-1', session: { sessionId: 's-1' }, lastSeq: 7 }), 'clientId c-1 · session s-1 · lastSeq 7');
  assert.equal(sessionText({ clientId: null, session: null, lastSeq: 0 }), '', 'legacy: no session');
});

test('the close history: the rule and the explanation of each code', () => {
  assert.equal(closeRuleText(1000, false), 'reconnect with backoff', 'an operator\'s close');
  assert.equal(closeRuleText(1000, true), 'no reconnect');
  assert.equal(closeRuleText(1012, false), 'reconnect after shutdown delay');
  assert.equal(closeRuleText(4001, false), 'no reconnect');
  assert.match(explainClose(4100), /failed wake-up check/);
  assert.match(explainClose(4321), /treated like 1006/);
  assert.match(explainClose(3000), /Unknown code/);
  assert.deepEqual(closeEntry({ code: 4004, reason: 'token expired', wasClean: true, ownRequest: false }, 0), {
    time: '1970-01-01T00:00:00.000Z', code: 4004, reason: 'token expired', wasClean: true, ownRequest: false,
    rule: 'reconnect with backoff', explanation: explainClose(4004),
  });

  const doc = new FakeDocument();
  const panel = new ConnectionPanel((id) => doc.get(id));
  panel.recordClose({ code: 1000, reason: '', wasClean: true, ownRequest: false }, 0);
  panel.recordClose({ code: 1006, reason: '', wasClean: false, ownRequest: false }, 0);
  assert.deepEqual(doc.get('close-history').children.map((li) => li.dataset.code), ['1006', '1000'], 'newest first');
  assert.equal(doc.get('close-history-empty').hidden, true);
  panel.count('replayed', 4);
  panel.count('resumes');
  assert.equal(doc.get('count-replayed').textContent, '4');
  assert.equal(doc.get('count-resumes').textContent, '1');
});

test('settings: the policy fields override the server\'s advice field by field; saved and loaded', () => {
  const fields = { 'initial-delay': ' 4000 ', 'max-delay': '', multiplier: 'x', jitter: '0', 'max-attempts': '3' };
  assert.deepEqual(policyOverrides((id) => fields[id]), { initialDelay: 4000, jitter: 0, maxAttempts: 3 });
  assert.deepEqual(advicePlaceholders({ initialDelay: 1000, jitter: 0.5 }), [['initial-delay', 'server: 1000'], ['jitter', 'server: 0.5']]);
  assert.equal(endpointUrl({ protocol: 'https:', host: 'shop.example' }, '/ws'), 'wss://shop.example/ws');
  assert.equal(endpointUrl({ protocol: 'http:', host: 'localhost:8080' }, '/ws-legacy'), 'ws://localhost:8080/ws-legacy');
  assert.equal(isLegacy('/ws-legacy'), true);
  assert.equal(isLegacy('/ws'), false);

  const stored = new Map();
  const storage = { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => stored.set(k, v) };
  const doc = new FakeDocument();
  doc.get('channel').value = 'orders';
  assert.equal(saveSettings(storage, (id) => doc.get(id)), null);
  assert.equal(JSON.parse(stored.get(SETTINGS_KEY)).channel, 'orders');
  const fresh = new FakeDocument();
  loadSettings(storage, (id) => fresh.get(id));
  assert.equal(fresh.get('channel').value, 'orders');
  assert.equal(fresh.get('queue-limit').value, '100', 'the default queue size');
  const full = { getItem: () => '{not json', setItem: () => { throw new Error('quota exceeded'); } };
  loadSettings(full, (id) => fresh.get(id));
  assert.equal(saveSettings(full, (id) => fresh.get(id)), 'quota exceeded');
});

test('latency: nearest-rank percentiles over the last samples', () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 99), 4);
  const samples = new LatencySamples(3);
  assert.deepEqual(samples.figures(), { last: '–', p50: '–', p99: '–', count: '0' });
  for (const v of [30, 10, 20, 40]) samples.add(v);
  assert.deepEqual(samples.values, [10, 20, 40], 'the oldest went');
  assert.deepEqual(samples.figures(), { last: '40 ms', p50: '20 ms', p99: '40 ms', count: '3' });
});

test('statsRows: the known figures of GET /api/stats, then the unknown ones flattened', () => {
  const rows = statsRows({
    connections: { total: 3, byEndpoint: { ws: 2, legacy: 1 }, byState: { connected: 3, closing: 0 } },
    messages: { in: 10, out: 12, inPerSecond: 1.5, outPerSecond: 2, windowMillis: 10000 },
    rtt: { samples: 1, p50Millis: 2, p99Millis: 2.25 },
    uptimeMillis: 3_723_000,
    draining: false,
    newer: { field: 1.23456 },
  });
  const byKey = Object.fromEntries(rows.map(([k, , text]) => [k, text]));
  assert.equal(byKey.connections, '3 (ws 2, legacy 1)');
  assert.equal(byKey['connections.byState'], 'connected 3');
  assert.equal(byKey.messages, '10 / 12 since start');
  assert.equal(byKey['messages.rate'], '1.50 / 2.00 msg/s over the last 10.0 s');
  assert.equal(byKey.rtt, '2 ms / 2.3 ms (1 connection)');
  assert.equal(byKey.uptimeMillis, '1h 2m 3s');
  assert.equal(byKey.draining, 'no');
  assert.equal(byKey['newer.field'], '1.235');
  assert.equal(formatDuration(90061), '1d 1h 1m 1s');
});

test('refreshStats: one dd per figure, or why there are none', async () => {
  const doc = new FakeDocument();
  const view = { list: doc.get('server-stats'), status: doc.get('stats-status') };
  await refreshStats({ ...view, fetch: async () => ({ ok: true, json: async () => ({ draining: true }) }) });
  assert.deepEqual(view.list.children.filter((e) => e.tag === 'dd').map((dd) => [dd.dataset.key, dd.textContent]),
    [['draining', 'yes: readiness DOWN, clients are being closed']]);
  assert.match(view.status.textContent, /^updated /);
  await refreshStats({ ...view, fetch: async () => ({ ok: false, status: 503 }) });
  assert.match(view.status.textContent, /^not available \(HTTP 503\)/);
  await refreshStats({ ...view, fetch: async () => { throw new Error('offline'); } });
  assert.equal(view.status.textContent, 'not available (offline)');
});

test('messages: echo on v1 and legacy, custom JSON, what send() results mean', () => {
  assert.deepEqual(echoFrame(false, '{"hello":"world"}'), { type: 'echo', payload: { hello: 'world' } });
  assert.deepEqual(echoFrame(false, 'hi'), { type: 'echo', payload: 'hi' });
  assert.equal(echoFrame(true, '{"hello":"world"}'), '{"hello":"world"}', 'legacy echoes the text as it is');
  assert.deepEqual(customJson(' {"type": "message"} '), { frame: '{"type":"message"}' });
  assert.match(customJson('{').error, /^Not valid JSON: /);
  assert.equal(sendResultText('sent'), '');
  assert.equal(sendResultText('queued'), 'Not connected: queued for the next connection.');
  assert.equal(sendResultText('dropped'), 'Not connected: dropped.');
  assert.equal(publishedText({ id: 'p-1', offset: 7, epoch: 'e', delivered: 0, repeated: true }), 'p-1: offset 7 (epoch e), delivered to 0, repeated');
});
