// permessage-deflate's costs on one server (bench/run-compression.sh starts it with a setting and
// runs this once per setting). A Node ws client that offers the extension (as browsers do):
//   1. IDLE connections: server heap (after a full GC) and RSS per connection, idle, then after each
//      sent one 4 KiB echo (compressors hold buffers once used);
//   2. per payload (64 B and 4 KiB JSON): CONNS connections echo MESSAGES messages in a closed loop
//      (one in flight each): server CPU per message, bytes on the wire per message both ways
//      (TCP payload: frames with their headers) against the JSON's own bytes (the mean message),
//      median of ROUNDS. Every message differs (see messages()).
// Prints one JSON object.
//   node compression.js URL SERVER_PID [idle=2000] [conns=50] [messages=40000] [rounds=3]
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const WebSocket = require('ws');

const [url, pidArg, idleArg, connsArg, messagesArg, roundsArg] = process.argv.slice(2);
const pid = Number(pidArg);
const IDLE = Number(idleArg || 2000);
const CONNS = Number(connsArg || 50);
const MESSAGES = Number(messagesArg || 40000);
const ROUNDS = Number(roundsArg || 3);
const TICK_US = 10000; // /proc/PID/stat counts in clock ticks of 10 ms

/**
 * JSON like an application's, new values in every message (with permessage-deflate's context
 * takeover a message sent twice costs almost nothing, so repeating one would flatter compression):
 * repeated keys and words, varying numbers. Seeded: every run sends the same sequence.
 */
function messages(bytes) {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const words = ['order', 'filled', 'pending', 'EUR', 'USD', 'Zürich', 'München', 'alice', 'bob'];
  const item = () => ({ id: Math.floor(rand() * 1e6), status: words[Math.floor(rand() * words.length)], price: Math.round(rand() * 1e5) / 100, qty: Math.floor(rand() * 100) });
  return () => {
    if (bytes <= 64) return JSON.stringify({ type: 'echo', payload: { id: 1000 + Math.floor(rand() * 9000), cur: words[3 + Math.floor(rand() * 2)], price: Math.round(rand() * 9000) / 100 } });
    const items = [];
    let json = '';
    do {
      items.push(item());
      json = JSON.stringify({ type: 'echo', payload: items });
    } while (Buffer.byteLength(json) < bytes);
    return json;
  };
}

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
/** Sends one message and waits for the reply; fails (instead of hanging) if the server closes. */
const echo = (ws, text) => new Promise((resolve, reject) => {
  const closed = (code) => reject(new Error(`closed with ${code} while waiting for an echo`));
  ws.once('close', closed);
  ws.once('message', (data) => { ws.off('close', closed); resolve(data); });
  ws.send(text);
});
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
  const big = messages(4096);
  await Promise.all(idle.map((ws) => echo(ws, big())));
  result.heap_kib_per_conn_after_traffic = (heapKib() - heap0) / IDLE;
  result.rss_kib_per_conn_after_traffic = (rssKib() - rss0) / IDLE;
  await closeAll(idle);

  for (const [name, bytes] of [['64B', 64], ['4KiB', 4096]]) {
    // made before the clock starts, so the server's CPU is not measured against the client's
    const next = messages(bytes);
    const perConn = Math.ceil(MESSAGES / CONNS);
    const texts = Array.from({ length: perConn + 1 }, next);
    const cpu = [];
    const wireBytes = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sockets = await openAll(CONNS);
      await Promise.all(sockets.map((ws) => echo(ws, texts[perConn]))); // warm each connection's codecs
      const w0 = wire(sockets);
      const t0 = cpuTicks();
      await Promise.all(sockets.map(async (ws) => { for (let i = 0; i < perConn; i++) await echo(ws, texts[i]); }));
      cpu.push(((cpuTicks() - t0) * TICK_US) / (perConn * CONNS));
      wireBytes.push((wire(sockets) - w0) / (perConn * CONNS));
      await closeAll(sockets);
    }
    result[`json_bytes_${name}`] = texts.reduce((s, t) => s + Buffer.byteLength(t), 0) / texts.length;
    result[`server_cpu_us_per_echo_${name}`] = median(cpu);
    result[`server_cpu_us_per_echo_${name}_rounds`] = cpu;
    result[`wire_bytes_per_echo_${name}`] = median(wireBytes);
  }
  // written at once: process.exit() may drop what console.log still holds for a pipe
  fs.writeSync(1, `${JSON.stringify(result)}\n`);
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
