// permessage-deflate's costs on one server (bench/run-compression.sh starts it with a setting and
// runs this once per setting). A Node ws client that offers the extension (as browsers do):
//   1. IDLE connections: server heap (after a full GC) and RSS per connection, idle, then after each
//      sent one 4 KiB echo (compressors hold buffers once used);
//   2. per payload (64 B and 4 KiB JSON): CONNS connections echo MESSAGES messages in a closed loop
//      (one in flight each): server CPU per message, bytes on the wire per message both ways
//      (TCP payload: frames with their headers) against the JSON's own bytes, median of ROUNDS.
// Prints one JSON object.
//   node compression.js URL SERVER_PID [idle=2000] [conns=50] [messages=20000] [rounds=3]
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const WebSocket = require('ws');

const [url, pidArg, idleArg, connsArg, messagesArg, roundsArg] = process.argv.slice(2);
const pid = Number(pidArg);
const IDLE = Number(idleArg || 2000);
const CONNS = Number(connsArg || 50);
const MESSAGES = Number(messagesArg || 20000);
const ROUNDS = Number(roundsArg || 3);
const TICK_US = 10000; // /proc/PID/stat counts in clock ticks of 10 ms

/** JSON like an application's: repeated keys, varying numbers and words (seeded, reproducible). */
function payloadOf(bytes) {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const words = ['order', 'filled', 'pending', 'EUR', 'USD', 'Zürich', 'München', 'alice', 'bob'];
  const items = [];
  let json = '';
  do {
    items.push({ id: Math.floor(rand() * 1e6), status: words[Math.floor(rand() * words.length)], price: Math.round(rand() * 1e5) / 100, qty: Math.floor(rand() * 100) });
    json = JSON.stringify({ type: 'echo', payload: items });
  } while (Buffer.byteLength(json) < bytes);
  return json;
}
const SMALL = JSON.stringify({ type: 'echo', payload: { id: 4711, status: 'ok', price: 12.5 } }); // 64 B

function cpuTicks() {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}
function heapKib() {
  execFileSync('jcmd', [String(pid), 'GC.run']);
  const info = execFileSync('jcmd', [String(pid), 'GC.heap_info'], { encoding: 'utf8' });
  return Number(/used (\d+)K/.exec(info)[1]);
}
function rssKib() {
  return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Opens n connections (offering permessage-deflate) and waits for each one's system frame. */
async function openAll(n) {
  const sockets = [];
  for (let i = 0; i < n; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 100); j++) {
      batch.push(new Promise((resolve, reject) => {
        const ws = new WebSocket(url, { perMessageDeflate: { threshold: 0 } });
        ws.once('message', () => resolve(ws));
        ws.once('error', reject);
      }));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}
const echo = (ws, text) => new Promise((resolve) => { ws.once('message', resolve); ws.send(text); });
const wire = (sockets) => sockets.reduce((s, ws) => s + ws._socket.bytesWritten + ws._socket.bytesRead, 0);
async function closeAll(sockets) {
  await Promise.all(sockets.map((ws) => new Promise((resolve) => { ws.once('close', resolve); ws.close(1000); })));
}

(async () => {
  const result = { url };
  const heap0 = heapKib();
  const rss0 = rssKib();
  const idle = await openAll(IDLE);
  result.negotiated = idle.filter((ws) => ws.extensions.includes('permessage-deflate')).length;
  result.idle = IDLE;
  result.heap_kib_per_idle_conn = (heapKib() - heap0) / IDLE;
  result.rss_kib_per_idle_conn = (rssKib() - rss0) / IDLE;
  const big = payloadOf(4096);
  await Promise.all(idle.map((ws) => echo(ws, big)));
  result.heap_kib_per_conn_after_traffic = (heapKib() - heap0) / IDLE;
  result.rss_kib_per_conn_after_traffic = (rssKib() - rss0) / IDLE;
  await closeAll(idle);

  for (const [name, text] of [['64B', SMALL], ['4KiB', big]]) {
    const cpu = [];
    const wireBytes = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sockets = await openAll(CONNS);
      await Promise.all(sockets.map((ws) => echo(ws, text))); // warm each connection's codecs
      const w0 = wire(sockets);
      const t0 = cpuTicks();
      const perConn = Math.ceil(MESSAGES / CONNS);
      await Promise.all(sockets.map(async (ws) => { for (let i = 0; i < perConn; i++) await echo(ws, text); }));
      cpu.push(((cpuTicks() - t0) * TICK_US) / (perConn * CONNS));
      wireBytes.push((wire(sockets) - w0) / (perConn * CONNS));
      await closeAll(sockets);
    }
    result[`json_bytes_${name}`] = Buffer.byteLength(text);
    result[`server_cpu_us_per_echo_${name}`] = median(cpu);
    result[`server_cpu_us_per_echo_${name}_rounds`] = cpu;
    result[`wire_bytes_per_echo_${name}`] = median(wireBytes);
  }
  console.log(JSON.stringify(result));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
