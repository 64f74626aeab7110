// Checks that a server speaks the protocol subset the benchmarks use, the same way: run it against
// the Node reference server and against our /ws, both must pass.
//   node bench/node/smoke.js ws://127.0.0.1:8590/ws
'use strict';

const assert = require('node:assert/strict');
const client = require('./client');

const url = process.argv[2] || 'ws://127.0.0.1:8590/ws';
const open = () => client.open(url);

(async () => {
  const channel = `smoke.${Date.now()}`;
  const a = await open();
  const connected = await a.next('system');
  assert.equal(connected.event, 'connected');

  a.send({ type: 'echo', payload: '#1234 ü' });
  assert.deepEqual(await a.next('echo'), { type: 'echo', payload: '#1234 ü' });
  a.send({ type: 'ping', timestamp: 7 });
  assert.equal((await a.next('pong')).timestamp, 7);

  a.send({ type: 'subscribe', channel });
  await a.next('subscribed');
  const pub = await open();
  await pub.next('system');
  pub.send({ type: 'publish', channel, data: 1 });
  assert.equal((await pub.next('ack')).delivered, 1);
  const first = await a.next('event');
  assert.equal(first.seq, 1);
  assert.equal(first.data, 1);

  // drop without a close frame, publish two more, resume from seq 1
  a.socket.terminate();
  await new Promise((r) => setTimeout(r, 300));
  pub.send({ type: 'publish', channel, data: 2 });
  pub.send({ type: 'publish', channel, data: 3 });
  await pub.next('ack');
  await pub.next('ack');
  const b = await open();
  await b.next('system');
  b.send({ type: 'resume', sessionId: connected.sessionId, resumeToken: connected.resumeToken, lastSeq: 1 });
  const replayed = [await b.next('event'), await b.next('event')];
  assert.deepEqual(replayed.map((e) => [e.seq, e.data]), [[2, 2], [3, 3]]);
  const resumed = await b.next('resumed');
  assert.equal(resumed.replayed, 2);
  assert.equal(resumed.lastSeq, 3);
  assert.notEqual(resumed.resumeToken, connected.resumeToken);

  b.send({ type: 'ack', seq: 3 });
  pub.send({ type: 'publish', channel, data: 4 });
  assert.equal((await b.next('event')).seq, 4);
  for (const c of [b, pub]) c.socket.close(1000);
  console.log(`${url}: protocol subset OK`);
})().catch((e) => {
  console.error(`${url}: ${e.stack}`);
  process.exit(1);
});
