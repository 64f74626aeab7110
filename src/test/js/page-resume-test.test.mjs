// The test page's resume test (js/page/resume-test.js): the verdict, and a run on the library
// against a scripted server (FakeSocket): subscribe, drop, publish while away, resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RobustWebSocket } from '../../main/webapp/js/robust-websocket.js';
import { eventCount, resumeVerdict, runResumeTest, showPosition, waitFor, waitForFirst } from '../../main/webapp/js/page/resume-test.js';
import { FakeSocket } from './fake-socket.mjs';

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('resumeVerdict: pass only with everything replayed, once, contiguous, without a gap', () => {
  const ids = ['a', 'b', 'c'];
  const ok = { ok: true, replayed: 3 };
  const events = (seqs) => seqs.map((seq, i) => ({ id: ids[i], seq }));
  assert.deepEqual(resumeVerdict({ outcome: ok, ids, received: events([4, 5, 6]), gaps: 0, where: '' }),
    { outcome: 'pass', text: 'Resumed: replayed 3 events (published 3 while away), seq 4–6, gaps 0, missing 0.', replayed: 3, gaps: 0 });
  assert.equal(resumeVerdict({ outcome: ok, ids, received: events([4, 6, 7]), gaps: 0, where: '' }).text.endsWith(', out of order.'), true);
  assert.deepEqual(resumeVerdict({ outcome: ok, ids, received: events([4, 5]), gaps: 0, where: '' }).gaps, 1, 'a missing one counts');
  assert.equal(resumeVerdict({ outcome: { ok: true, replayed: 2 }, ids, received: events([4, 5, 6]), gaps: 0, where: '' }).outcome, 'fail');
  assert.equal(resumeVerdict({ outcome: ok, ids, received: events([4, 5, 6]), gaps: 1, where: '' }).outcome, 'fail');
  assert.deepEqual(resumeVerdict({ outcome: { ok: false, reason: 'expired', lostAfterSeq: 3 }, ids, received: [], gaps: 0, where: ' W.' }),
    { outcome: 'fail', text: 'Resume failed (expired): events after seq 3 are lost; 0/3 arrived. W.', replayed: 0, gaps: 3 });
  assert.equal(eventCount('7'), 7);
  assert.equal(eventCount('9999'), 500);
  assert.equal(eventCount(''), 5);
  assert.equal(showPosition(undefined), 'start');
  assert.equal(showPosition({ offset: 12, epoch: 'e1' }), 'offset 12 (epoch e1)');
});

test('waitFor: the first matching detail, or a timeout', async (t) => {
  const target = new EventTarget();
  const got = waitFor(target, 'x', (d) => d.n === 2, 1000);
  target.dispatchEvent(new CustomEvent('x', { detail: { n: 1 } }));
  target.dispatchEvent(new CustomEvent('x', { detail: { n: 2 } }));
  assert.deepEqual(await got, { n: 2 });
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const late = waitFor(target, 'x', () => true, 1000);
  t.mock.timers.tick(1000);
  await assert.rejects(late, /timed out after 1000 ms waiting for x/);
  const either = waitForFirst(target, ['resumed', 'resumefailed'], () => true, 1000);
  target.dispatchEvent(new CustomEvent('resumefailed', { detail: { reason: 'gap' } }));
  assert.deepEqual(await either, { type: 'resumefailed', detail: { reason: 'gap' } });
});

test('runResumeTest on the library: drops the connection, publishes while away, passes when the resume replays it all', async () => {
  FakeSocket.all = [];
  const c = new RobustWebSocket('ws://test/ws', { WebSocket: FakeSocket, environment: null });
  c.connect();
  const s1 = FakeSocket.all[0];
  s1.serverSends({ type: 'system', event: 'connected', clientId: 'c-1', sessionId: 's-1', resumeToken: 't-1', config: null });
  const reports = [];
  let published;
  const publish = (url, channel, count) => {
    assert.deepEqual([url, channel, count], ['ws://test/ws', 'rt', 2]);
    return new Promise((resolve) => {
      published = resolve;
    });
  };
  const logged = [];
  const run = runResumeTest({
    client: c, channel: 'rt', count: 2, url: 'ws://test/ws', publish,
    report: (outcome, text, data) => reports.push({ outcome, text, ...data }),
    log: (...entry) => logged.push(entry),
  });
  assert.equal(s1.sent.at(-1).type, 'subscribe');
  s1.serverSends({ type: 'subscribed', channel: 'rt' });
  s1.serverSends({ type: 'event', channel: 'rt', seq: 1, offset: 10, epoch: 'e', data: 0 });
  await flush();
  assert.equal(s1.closed.code, 4100, 'dropped as a network failure would');
  assert.equal(c.state, 'disconnected');
  published(['a', 'b']);
  await flush();
  const s2 = FakeSocket.all[1];
  assert.ok(s2, 'reconnected once the events were published');
  s2.serverSends({ type: 'system', event: 'connected', clientId: 'c-2', sessionId: 's-2', resumeToken: 't-2', config: null });
  assert.deepEqual(s2.sent[0], { type: 'resume', sessionId: 's-1', resumeToken: 't-1', lastSeq: 1, positions: { rt: { offset: 10, epoch: 'e' } } });
  s2.serverSends({ type: 'event', channel: 'rt', seq: 2, offset: 11, epoch: 'e', id: 'a', data: 1 });
  s2.serverSends({ type: 'event', channel: 'rt', seq: 3, offset: 12, epoch: 'e', id: 'b', data: 2 });
  s2.serverSends({ type: 'resumed', sessionId: 's-1', resumeToken: 't-3', replayed: 2, lastSeq: 3 });
  await run;
  const last = reports.at(-1);
  assert.equal(last.outcome, 'pass', last.text);
  assert.deepEqual([last.replayed, last.gaps, last.position], ['2', '0', '12']);
  assert.match(last.text, /Position in rt: offset 10 \(epoch e\) → offset 12 \(epoch e\)\.$/);
  assert.deepEqual(logged, [['warn', 'resume test', 'connection dropped at seq 1; publishing 2 events from a second connection']]);
  c.disconnect();
});
