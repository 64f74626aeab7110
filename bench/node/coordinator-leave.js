// One round of bench/run-cluster-coordinator.sh: a session subscribes to a new channel on a node
// that stays; a publisher on each of the three nodes publishes as fast as it is answered; after
// 1.5 s `cluster/cluster.sh stop-node COORDINATOR` stops the JGroups coordinator (SIGTERM); the two
// others publish 2.5 s more; then the session resumes from its start (lastSeq 0) on the third node.
// Prints one JSON line: the resume's answer, publications acknowledged, events replayed, acknowledged
// ones the replay lacks, offsets acknowledged twice, replayed offsets out of order, publications
// unanswered for 10 s, error answers. The stopping node's publisher stops at its `shutdown`; its
// last publication may be stored unacknowledged (replayed, not counted as acknowledged).
// Usage: node coordinator-leave.js ROUND COORDINATOR CLUSTER_SH
const { execFile } = require('child_process');
const { open: connect } = require('./client');
const [round, coordinator, clusterSh] = [process.argv[2], +process.argv[3], process.argv[4]];
const channel = `coordinator:${round}:${process.pid}`;
const others = [1, 2, 3].filter(n => n !== coordinator);
const sleep = ms => new Promise(r => setTimeout(r, ms));
const open = n => connect(`ws://127.0.0.1:${8080 + 100 * n}/ws`);
const ANSWER_MS = 10000;

async function publisher(node, state) {
  const ws = await open(node);
  await ws.next('system');
  for (let i = 1; state.running; i++) {
    const data = `${node}-${i}`;
    ws.send({ type: 'publish', channel, data });
    let answer;
    try {
      answer = await ws.next(m => m.type === 'ack' || m.type === 'error' || (m.type === 'system' && m.event === 'shutdown'), ANSWER_MS);
    } catch (e) { state.unanswered++; break; }
    if (answer.type === 'ack') state.acked.set(data, answer.offset);
    else if (answer.type === 'error') state.errors.push(answer.code || answer.reason || 'error');
    else break; // its node is stopping
  }
  ws.socket.close();
}

(async () => {
  const session = await open(others[0]);
  const hello = await session.next('system');
  session.send({ type: 'subscribe', channel });
  await session.next('subscribed');
  const state = { running: true, acked: new Map(), errors: [], unanswered: 0 };
  const publishers = [1, 2, 3].map(n => publisher(n, state).catch(() => { state.unanswered++; }));
  await sleep(1500);
  await new Promise(r => execFile(clusterSh, ['stop-node', String(coordinator)], r));
  await sleep(2500);
  state.running = false;
  await Promise.all(publishers);
  session.socket.close();
  await session.closed;

  const resumer = await open(others[1]);
  await resumer.next('system');
  resumer.send({ type: 'resume', sessionId: hello.sessionId, resumeToken: hello.resumeToken, lastSeq: 0 });
  const replayed = [];
  let answer;
  for (;;) {
    const m = await resumer.next(() => true, ANSWER_MS);
    if (m.type === 'event') replayed.push(m);
    else if (m.type === 'resumed' || m.type === 'resume_failed') { answer = m; break; }
  }
  resumer.socket.close();
  const offsets = replayed.map(e => e.offset);
  const replayedData = new Set(replayed.map(e => e.data));
  const ackedOffsets = [...state.acked.values()];
  console.log(JSON.stringify({
    round: +round,
    coordinator,
    result: answer.type + (answer.reason ? ' ' + answer.reason : ''),
    acked: state.acked.size,
    replayed: replayed.length,
    lost: [...state.acked.keys()].filter(d => !replayedData.has(d)).length,
    acked_twice: ackedOffsets.length - new Set(ackedOffsets).size,
    out_of_order: offsets.filter((o, i) => i > 0 && o <= offsets[i - 1]).length,
    unanswered: state.unanswered,
    errors: state.errors.length,
    // the publications of offsets acknowledged twice (data: publishing node-number) and what the replay held there
    twice: [...new Set(ackedOffsets.filter((o, i) => ackedOffsets.indexOf(o) !== i))].map(o => ({
      offset: o,
      acked: [...state.acked].filter(([, at]) => at === o).map(([d]) => d),
      replayed: (replayed.find(e => e.offset === o) || {}).data,
    })),
  }));
  process.exit(0);
})().catch(e => { console.error(e.stack); process.exit(1); });
