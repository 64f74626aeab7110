// The Node `ws` reference server of bench/: what a team would run instead of our WAR, speaking the
// subset of docs/protocol.md that the load client uses (system/connected, ping, echo, subscribe,
// unsubscribe, publish with its ack, event with seq/offset/epoch, ack, resume with replay, the
// heartbeat and its 4000 close, the 4008 slow-consumer close, system/shutdown with 1012), with
// the same limits as our shipped defaults. History and sessions live in this process's memory
// only, as in a typical `ws` server: a restart forgets them (ours keep them in Infinispan).
//
//   node --expose-gc bench/node/server.js            PORT (8590), HOST (127.0.0.1)
//   GET /stats          {cpuUserUs, cpuSystemUs, rss, heapUsed, external, arrayBuffers, connections, sessions}
//   GET /stats?gc=1     the same after a full GC (needs --expose-gc)
'use strict';

const http = require('node:http');
const crypto = require('node:crypto');
const { WebSocketServer } = require('ws');

const PORT = Number(process.env.PORT || 8590);
const HOST = process.env.HOST || '127.0.0.1';
const HEARTBEAT_INTERVAL = 25_000;
const HEARTBEAT_TIMEOUT = 60_000;
const MAX_MESSAGE_BYTES = 65_536;
const RESUME_GRACE = Number(process.env.RESUME_GRACE_MS || 120_000);
const HISTORY_EVENTS = 1000;
const OUTBOUND_MAX_BYTES = 524_288;
const CONFIG = {
  heartbeatInterval: HEARTBEAT_INTERVAL,
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  maxMessageBytes: MAX_MESSAGE_BYTES,
  reconnectStrategy: { initialDelay: 1000, maxDelay: 30000, multiplier: 1.5, jitter: 0.5, maxAttempts: 10 },
};

const id = (prefix, bytes) => prefix + crypto.randomBytes(bytes).toString('base64url');

/** A channel's stream: events numbered by offset, the last HISTORY_EVENTS kept. */
class Channel {
  constructor(name) {
    this.name = name;
    this.epoch = id('', 6);
    this.next = 1; // offset of the next event
    this.events = []; // JSON of `data`, this.events[i] has offset this.next - this.events.length + i
    this.subscribers = new Set(); // sessions
  }
  append(data) {
    this.events.push(data);
    if (this.events.length > HISTORY_EVENTS) this.events.shift();
    return this.next++;
  }
  first() {
    return this.next - this.events.length;
  }
  at(offset) {
    return offset >= this.first() && offset < this.next ? this.events[offset - this.first()] : undefined;
  }
}

/** A session: its subscriptions, its seq counter and where each seq points, while unacked. */
class Session {
  constructor() {
    this.id = id('s-', 12);
    this.token = id('', 24);
    this.previousToken = null;
    this.seq = 0;
    this.numbered = []; // [seq, channel, offset] not yet acked, in seq order
    this.positions = new Map(); // channel name -> offset of the last event numbered
    this.socket = null;
    this.detachedAt = 0;
  }
}

const channels = new Map();
const sessions = new Map();
const channel = (name) => {
  let c = channels.get(name);
  if (!c) channels.set(name, (c = new Channel(name)));
  return c;
};

function eventFrame(ch, offset, data, seq) {
  return `{"type":"event","seq":${seq},"channel":${JSON.stringify(ch.name)},"offset":${offset},"epoch":"${ch.epoch}","data":${data}}`;
}

/** Numbers the event for the session and sends it to the session's socket. */
function deliver(session, ch, offset, data) {
  const seq = ++session.seq;
  session.numbered.push([seq, ch.name, offset]);
  session.positions.set(ch.name, offset);
  send(session.socket, eventFrame(ch, offset, data, seq));
}

function send(socket, text) {
  if (!socket || socket.readyState !== 1) return;
  if (socket.bufferedAmount > OUTBOUND_MAX_BYTES) {
    socket.close(4008, 'slow consumer');
    return;
  }
  socket.send(text);
}

function reply(socket, message) {
  send(socket, JSON.stringify(message));
}

function error(socket, code, message) {
  reply(socket, { type: 'error', error: code, message });
}

function publish(socket, msg) {
  const ch = channel(msg.channel);
  const data = JSON.stringify(msg.data === undefined ? null : msg.data);
  const offset = ch.append(data);
  let delivered = 0;
  for (const session of ch.subscribers) {
    if (session.socket) {
      deliver(session, ch, offset, data);
      delivered++;
    }
  }
  reply(socket, msg.id === undefined
    ? { type: 'ack', channel: ch.name, delivered }
    : { type: 'ack', id: msg.id, channel: ch.name, delivered });
}

function resume(socket, state, msg) {
  const session = sessions.get(msg.sessionId);
  if (!session) return reply(socket, { type: 'resume_failed', reason: 'unknown' });
  if (session.socket === null && Date.now() - session.detachedAt > RESUME_GRACE) {
    return reply(socket, { type: 'resume_failed', reason: 'expired' });
  }
  if (msg.resumeToken !== session.token && msg.resumeToken !== session.previousToken) {
    return reply(socket, { type: 'resume_failed', reason: 'invalid_token' });
  }
  const lastSeq = msg.lastSeq | 0;
  if (lastSeq > session.seq) return reply(socket, { type: 'resume_failed', reason: 'gap' });
  // what the session numbered after lastSeq, then what its channels got since
  const replay = session.numbered.filter(([seq]) => seq > lastSeq);
  const since = [];
  for (const [name, offset] of session.positions) {
    const ch = channels.get(name);
    for (let o = offset + 1; o < ch.next; o++) since.push([ch, o]);
  }
  const missing = replay.some(([, name, o]) => channels.get(name).at(o) === undefined)
    || since.some(([ch, o]) => ch.at(o) === undefined);
  if (missing) return reply(socket, { type: 'resume_failed', reason: 'gap' });

  if (session.socket && session.socket !== socket) session.socket.close(4001, 'resumed elsewhere');
  sessions.delete(state.session.id); // the fresh session of this connection
  state.session = session;
  session.socket = socket;
  session.numbered = session.numbered.filter(([seq]) => seq > lastSeq);
  for (const [seq, name, o] of replay) {
    const ch = channels.get(name);
    send(socket, eventFrame(ch, o, ch.at(o), seq));
  }
  for (const [ch, o] of since) deliver(session, ch, o, ch.at(o));
  session.previousToken = msg.resumeToken;
  session.token = id('', 24);
  reply(socket, {
    type: 'resumed', sessionId: session.id, resumeToken: session.token,
    replayed: replay.length + since.length, lastSeq: session.seq,
  });
}

function onMessage(socket, state, raw, isBinary) {
  state.lastSeen = Date.now();
  const first = state.first;
  state.first = false;
  if (isBinary) return error(socket, 'invalid_format', 'binary frames are not part of the protocol; send JSON text');
  let msg;
  try {
    msg = JSON.parse(raw.toString('utf8'));
  } catch {
    return error(socket, 'invalid_format', 'not valid JSON');
  }
  if (msg === null || typeof msg !== 'object' || typeof msg.type !== 'string') {
    return error(socket, 'invalid_format', 'message has no string field \'type\'');
  }
  const session = state.session;
  switch (msg.type) {
    case 'ping':
      return reply(socket, { type: 'pong', timestamp: msg.timestamp, serverTime: Date.now(), clientId: state.clientId });
    case 'echo':
      return send(socket, `{"type":"echo","payload":${JSON.stringify(msg.payload === undefined ? null : msg.payload)}}`);
    case 'subscribe': {
      const ch = channel(msg.channel);
      ch.subscribers.add(session);
      if (!session.positions.has(ch.name)) session.positions.set(ch.name, ch.next - 1);
      return reply(socket, msg.id === undefined ? { type: 'subscribed', channel: ch.name } : { type: 'subscribed', channel: ch.name, id: msg.id });
    }
    case 'unsubscribe': {
      const ch = channel(msg.channel);
      ch.subscribers.delete(session);
      session.positions.delete(ch.name);
      return reply(socket, { type: 'unsubscribed', channel: ch.name });
    }
    case 'publish':
      return publish(socket, msg);
    case 'ack': {
      const upTo = msg.seq | 0;
      let i = 0;
      while (i < session.numbered.length && session.numbered[i][0] <= upTo) i++;
      if (i > 0) session.numbered.splice(0, i);
      return undefined;
    }
    case 'resume':
      if (!first) return error(socket, 'invalid_state', 'resume must be the first message');
      return resume(socket, state, msg);
    default:
      return error(socket, 'unknown_type', `unknown message type '${msg.type}'`);
  }
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/stats')) {
    if (req.url.includes('gc=1') && global.gc) global.gc();
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rss: mem.rss, heapUsed: mem.heapUsed,
      external: mem.external, arrayBuffers: mem.arrayBuffers, connections: wss.clients.size, sessions: sessions.size,
    }));
    return;
  }
  res.writeHead(404).end();
});

const wss = new WebSocketServer({ server, path: '/ws', maxPayload: MAX_MESSAGE_BYTES });
const states = new Map(); // socket -> connection state

wss.on('connection', (socket) => {
  const session = new Session();
  sessions.set(session.id, session);
  session.socket = socket;
  const now = Date.now();
  const state = {
    clientId: id('c-', 9), session, first: true, lastSeen: now,
    // the first ping half an interval to an interval after the open, as ours
    nextPing: now + HEARTBEAT_INTERVAL / 2 + Math.random() * HEARTBEAT_INTERVAL / 2,
  };
  states.set(socket, state);
  socket.on('message', (raw, isBinary) => onMessage(socket, state, raw, isBinary));
  socket.on('pong', () => { state.lastSeen = Date.now(); });
  socket.on('ping', () => { state.lastSeen = Date.now(); });
  socket.on('error', () => {});
  socket.on('close', () => {
    states.delete(socket);
    const s = state.session;
    if (s.socket === socket) {
      s.socket = null;
      s.detachedAt = Date.now();
    }
  });
  reply(socket, {
    type: 'system', event: 'connected', clientId: state.clientId, sessionId: session.id,
    resumeToken: session.token, serverTime: now, config: CONFIG,
  });
});

// Every second: ping the connections that are due, close the silent ones, expire old sessions.
const pingPayload = Buffer.alloc(8);
setInterval(() => {
  const now = Date.now();
  for (const [socket, state] of states) {
    if (now - state.lastSeen > HEARTBEAT_TIMEOUT) {
      socket.close(4000, 'heartbeat timeout');
    } else if (now >= state.nextPing) {
      state.nextPing = now + HEARTBEAT_INTERVAL;
      pingPayload.writeBigInt64BE(BigInt(now) * 1000n);
      socket.ping(pingPayload);
    }
  }
  for (const [sid, s] of sessions) {
    if (s.socket === null && now - s.detachedAt > RESUME_GRACE) {
      sessions.delete(sid);
      for (const name of s.positions.keys()) channels.get(name)?.subscribers.delete(s);
    }
  }
}, 1000).unref();

function shutdown() {
  for (const socket of wss.clients) {
    reply(socket, { type: 'system', event: 'shutdown', reconnectAfter: 500 + Math.floor(Math.random() * 4500) });
    socket.close(1012, 'server restart');
  }
  setTimeout(() => process.exit(0), 1000).unref();
  server.close();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

server.listen(PORT, HOST, () => console.log(`node ws ${require('ws/package.json').version} on ${HOST}:${PORT}/ws, pid ${process.pid}`));
