// Load for bench/run-cluster-restarts.sh: on each node of cluster/cluster.sh (HTTP 8180, 8280,
// 8380), 3 publishers at ~50 publications/s each and 30 subscribers of one channel, each
// reconnecting 0.5-1.5 s after its connection closes (a node stopping or starting). Prints what
// was sent, acknowledged and received every 10 s.
const WebSocket = require('ws');
let sent = 0, acks = 0, events = 0;
function run(port, publish) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  let timer;
  ws.on('open', () => {
    ws.send(JSON.stringify({ type: 'subscribe', channel: 'repro' }));
    if (publish) timer = setInterval(() => {
      if (ws.readyState === 1) ws.send(JSON.stringify({ type: 'publish', channel: 'repro', data: { n: sent++ }, id: 'p' + sent }));
    }, 20);
  });
  ws.on('message', (m) => { const s = String(m); if (s.includes('"ack"')) acks++; else if (s.includes('"event"')) events++; });
  const again = () => { clearInterval(timer); setTimeout(() => run(port, publish), 500 + Math.random() * 1000); };
  ws.on('close', again);
  ws.on('error', () => {});
}
for (const port of [8180, 8280, 8380]) {
  for (let i = 0; i < 3; i++) run(port, true);
  for (let i = 0; i < 30; i++) run(port, false);
}
setInterval(() => console.log(new Date().toISOString(), 'sent', sent, 'acks', acks, 'events', events), 10000);
