// The test page's logic (robust-websocket-test.html). An ES module: no inline script, no
// onclick=, nothing from a CDN. /ws goes through the client library; /ws-legacy through
// LegacyClient below (the legacy protocol has no sessions to resume).
import {
  RobustWebSocket,
  closeCodeRule,
  frameBytes,
  mergeStrategy,
  reconnectDecision,
} from './robust-websocket.js';

const $ = (id) => document.getElementById(id);
const SETTINGS_KEY = 'robust-websocket-test.settings';
const MAX_LOG = 1000;
const MAX_SAMPLES = 120;
const LEVELS = ['debug', 'info', 'warn', 'error'];

// ---------- plain-language close codes ----------

const CLOSE_CODES = {
  1000: 'Normal close. Asked for by this page (no reconnect), or by an operator through the admin API (the page reconnects and resumes).',
  1001: 'Going away: the server stopped without planning a restart, or the browser left the page. Reconnect with backoff.',
  1002: 'Protocol error detected by the WebSocket layer. Reconnecting will not help without a fix.',
  1003: 'Unsupported data. Not sent by this server.',
  1005: 'No status code was given in the close frame.',
  1006: 'Abnormal closure: the connection dropped without a close frame, so the browser made this code up. '
    + 'Usual causes: the network went away (Wi-Fi or mobile switch, laptop sleep, VPN), a proxy or load balancer '
    + 'cut an idle or long-lived connection, the server process died or was killed, a firewall reset the TCP '
    + 'connection, or the handshake failed (server down, wrong URL, TLS problem). Reconnect with backoff and resume.',
  1007: 'Invalid data (e.g. text that is not UTF-8). Reconnecting will not help without a fix.',
  1008: 'Policy violation (e.g. repeated rate-limit abuse). No reconnect without a change.',
  1009: 'Message too big: this client sent more than maxMessageBytes. No reconnect without a change.',
  1011: 'Unexpected server error. Reconnect with backoff.',
  1012: 'Service restart or redeploy. The server sent system/shutdown with reconnectAfter first; reconnect after that delay.',
  1013: 'Try again later: the server is at capacity. Reconnect with backoff.',
  1015: 'TLS handshake failure (reported by the browser, never sent).',
  4000: 'Heartbeat timeout: the server received nothing from this client within heartbeatTimeout (e.g. a frozen tab or a one-way network failure). Reconnect and resume.',
  4001: 'Session taken over: a newer connection resumed this session. Do not reconnect: the newer one carries on.',
  4003: 'Invalid token: the server refused the token (its reason is in the close reason). Reconnecting with the same token would fail again: paste another one.',
  4004: 'Token expired and not refreshed: get a fresh token, reconnect and resume.',
  4005: 'Authentication timeout: the server requires a token and none came in time. Reconnect with a token.',
  4008: 'Slow consumer: this client did not read fast enough, too much was queued for it. Reconnect and resume to catch up.',
  4009: 'Too many connections of this user (ws.max-connections-per-user): close another one first.',
  4100: 'Closed by this page to reconnect (Force reconnect, a resume test, a connect timeout, or no pong within heartbeatTimeout).',
};

export function explainClose(code) {
  if (CLOSE_CODES[code]) return CLOSE_CODES[code];
  if (code >= 4000 && code <= 4999) return 'Application-specific code not known to this page; treated like 1006.';
  return 'Unknown code; treated like 1006 (reconnect with backoff).';
}

// ---------- settings ----------

const SETTING_FIELDS = ['endpoint', 'subprotocol', 'initial-delay', 'max-delay', 'multiplier', 'jitter', 'max-attempts',
  'queue-limit', 'overflow', 'channel', 'log-level', 'resume-channel', 'resume-count'];

function loadSettings() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(SETTINGS_KEY) || '{}') || {};
  } catch (e) {
    saved = {};
  }
  for (const id of SETTING_FIELDS) {
    if (typeof saved[id] === 'string' && $(id)) $(id).value = saved[id];
  }
  if (!$('queue-limit').value) $('queue-limit').value = '100';
}

function saveSettings() {
  const out = {};
  for (const id of SETTING_FIELDS) out[id] = $(id).value;
  try {
    localStorage.setItem(SETTINGS_KEY, JSON.stringify(out));
  } catch (e) {
    logEvent('warn', 'settings', `not saved: ${e.message}`);
  }
}

function endpointUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${$('endpoint').value}`;
}

function policyOverrides() {
  const map = { 'initial-delay': 'initialDelay', 'max-delay': 'maxDelay', multiplier: 'multiplier', jitter: 'jitter', 'max-attempts': 'maxAttempts' };
  const out = {};
  for (const [id, key] of Object.entries(map)) {
    const v = $(id).value.trim();
    if (v !== '' && Number.isFinite(Number(v))) out[key] = Number(v);
  }
  return out;
}

// ---------- the legacy client (plain WebSocket, same events as the library) ----------

class LegacyClient extends EventTarget {
  constructor(url, { protocols, reconnect }) {
    super();
    this.url = url;
    this.protocols = protocols;
    this.overrides = reconnect;
    this.state = 'disconnected';
    this.attempt = 0;
    this.ws = null;
    this.ownClose = false;
    this.timer = null;
    this.pingSentAt = [];
  }

  get strategy() {
    return mergeStrategy(this.overrides);
  }

  setReconnectStrategy(o) {
    this.overrides = { ...o };
  }

  connect() {
    if (this.ws) return;
    this.ownClose = false;
    clearTimeout(this.timer);
    this.setState('connecting', 'connect');
    const ws = this.protocols ? new WebSocket(this.url, this.protocols) : new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setState('connected', 'open');
      this.emit('open', { extensions: ws.extensions || '' });
    };
    ws.onmessage = (e) => {
      let message = null;
      if (typeof e.data === 'string') {
        try {
          message = JSON.parse(e.data);
        } catch (err) {
          message = null;
        }
      }
      this.emit('message', { message, raw: e.data, bytes: frameBytes(e.data) });
      if (message && message.type === 'pong' && this.pingSentAt.length) {
        const rtt = Date.now() - this.pingSentAt.shift();
        this.emit('latency', { rtt, serverTime: message.timestamp });
      }
    };
    ws.onerror = () => this.emit('error', { error: new Error('WebSocket error') });
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.pingSentAt = [];
      this.afterClose(e.code, e.reason, e.wasClean);
    };
  }

  afterClose(code, reason, wasClean) {
    const ownRequest = this.ownClose;
    this.emit('close', { code, reason, wasClean, ownRequest });
    const d = reconnectDecision({ code, ownRequest, attempt: this.attempt, strategy: this.strategy });
    if (d.reconnect) {
      this.attempt = d.nextAttempt;
      this.setState('disconnected', `reconnecting in ${d.delay} ms`);
      this.emit('reconnecting', { attempt: this.attempt, delay: d.delay, code, reason: d.reason });
      this.timer = setTimeout(() => this.connect(), d.delay);
    } else if (ownRequest) {
      this.setState('disconnected', 'closed by the application');
    } else {
      const why = d.reason === 'max-attempts' ? `gave up after ${this.attempt} reconnect attempts` : `close code ${code}: no reconnect without a change`;
      this.emit('giveup', { attempts: this.attempt, code, reason: why });
      this.setState(code === 4001 ? 'disconnected' : 'error', why);
    }
  }

  disconnect() {
    this.ownClose = true;
    clearTimeout(this.timer);
    if (!this.ws) {
      this.setState('disconnected', 'closed by the application');
      return;
    }
    this.setState('disconnecting', 'client disconnect');
    this.ws.close(1000, 'client disconnect');
  }

  forceReconnect() {
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(4100, 'client reconnect');
      this.emit('close', { code: 4100, reason: 'forced reconnect', wasClean: false, ownRequest: false });
    }
    this.emit('reconnecting', { attempt: this.attempt, delay: 0, code: 4100, reason: 'forced' });
    this.connect();
  }

  reconnectNow() {
    if (!this.ws) this.connect();
  }

  send(message) {
    if (!this.ws || this.state !== 'connected') return 'dropped';
    const raw = typeof message === 'string' ? message : JSON.stringify(message);
    if (message && message.type === 'ping') this.pingSentAt.push(Date.now());
    this.ws.send(raw);
    let parsed = null;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      parsed = null;
    }
    this.emit('send', { message: parsed, raw, bytes: frameBytes(raw) });
    return 'sent';
  }

  ping() {
    return this.send({ type: 'ping', timestamp: Date.now() }) === 'sent';
  }

  setState(state, reason) {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    this.emit('statechange', { state, previous, reason });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

// ---------- logs ----------

const logs = { events: [], messages: [] };
const counters = { reconnects: 0, sent: 0, received: 0, resumes: 0, replayed: 0, gaps: 0 };

function time(ts) {
  const d = new Date(ts);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function levelVisible(level) {
  return LEVELS.indexOf(level) >= LEVELS.indexOf($('log-level').value);
}

function addRow(tbody, cells, attrs) {
  const tr = document.createElement('tr');
  for (const [k, v] of Object.entries(attrs)) tr.dataset[k] = v;
  for (const c of cells) {
    const td = document.createElement('td');
    td.textContent = c;
    tr.appendChild(td);
  }
  if (!levelVisible(attrs.level)) tr.classList.add('hidden');
  tbody.insertBefore(tr, tbody.firstChild);
  while (tbody.rows.length > MAX_LOG) tbody.deleteRow(tbody.rows.length - 1);
}

function logEvent(level, event, details) {
  const ts = Date.now();
  logs.events.push({ time: new Date(ts).toISOString(), level, event, details });
  if (logs.events.length > MAX_LOG) logs.events.shift();
  addRow($('event-log').tBodies[0], [time(ts), level, event, details], { level, event });
}

function logMessage(dir, raw, message, bytes) {
  const ts = Date.now();
  const type = message && typeof message === 'object' && typeof message.type === 'string'
    ? (message.type === 'system' && message.event ? `system/${message.event}` : message.type)
    : (typeof raw === 'string' ? 'text' : 'binary');
  const level = type === 'error' ? 'warn' : (type === 'pong' || type === 'ping' || type === 'ack' && dir === 'out' || type === 'heartbeat' ? 'debug' : 'info');
  let content = typeof raw === 'string' ? raw : `[${bytes} bytes binary]`;
  // never show a resume token or a JWT in full: they are secrets
  content = content.replace(/("(?:resumeToken|token)"\s*:\s*")([^"]{4})[^"]*"/g, '$1$2…"');
  logs.messages.push({ time: new Date(ts).toISOString(), direction: dir, type, size: bytes, level, content });
  if (logs.messages.length > MAX_LOG) logs.messages.shift();
  addRow($('message-log').tBodies[0], [time(ts), dir === 'in' ? '↓ in' : '↑ out', type, `${bytes} B`, content.length > 400 ? `${content.slice(0, 400)}…` : content],
    { dir, type, level });
}

function applyLevelFilter() {
  for (const tr of document.querySelectorAll('table.log tbody tr')) {
    tr.classList.toggle('hidden', !levelVisible(tr.dataset.level));
  }
}

function exportLogs() {
  const blob = new Blob([JSON.stringify({
    exportedAt: new Date().toISOString(),
    page: location.href,
    endpoint: $('endpoint').value,
    counters,
    latencyMs: samples,
    closeHistory,
    connectionEvents: logs.events,
    messages: logs.messages,
  }, null, 2)], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `robust-websocket-log-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

// ---------- counters, state ----------

function renderCounters() {
  for (const [k, v] of Object.entries(counters)) $(`count-${k}`).textContent = String(v);
}

function renderState(state, reason) {
  $('state').dataset.state = state;
  $('state-word').textContent = state;
  $('state-detail').textContent = reason || '';
  const connected = state === 'connected';
  const idle = !client || state === 'disconnected' && !reconnectPending || state === 'error';
  $('connect').disabled = !idle;
  $('disconnect').disabled = idle && !reconnectPending;
  $('force-reconnect').disabled = !connected;
  $('endpoint').disabled = !idle;
  $('subprotocol').disabled = !idle;
}

function renderEndpointMode() {
  const legacy = $('endpoint').value === '/ws-legacy';
  for (const el of document.querySelectorAll('.ws-only')) el.disabled = legacy;
  $('url').value = endpointUrl();
}

// ---------- latency chart ----------

const samples = [];

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function addLatency(rtt) {
  samples.push(rtt);
  if (samples.length > MAX_SAMPLES) samples.shift();
  const sorted = [...samples].sort((a, b) => a - b);
  $('latency-last').textContent = `${rtt} ms`;
  $('latency-p50').textContent = `${percentile(sorted, 50)} ms`;
  $('latency-p99').textContent = `${percentile(sorted, 99)} ms`;
  $('latency-count').textContent = String(samples.length);
  drawChart(sorted);
}

function drawChart(sorted) {
  const canvas = $('latency-chart');
  const cssWidth = canvas.clientWidth || 600;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(cssWidth * ratio);
  canvas.height = Math.round(160 * ratio);
  const ctx = canvas.getContext('2d');
  ctx.scale(ratio, ratio);
  const w = cssWidth;
  const h = 160;
  const pad = { l: 40, r: 8, t: 10, b: 18 };
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#5e6875';
  if (!samples.length) {
    ctx.fillText('no pings yet', pad.l, h / 2);
    return;
  }
  const max = Math.max(5, sorted[sorted.length - 1]) * 1.15;
  const y = (v) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const x = (i) => pad.l + ((w - pad.l - pad.r) * i) / Math.max(1, MAX_SAMPLES - 1);
  ctx.strokeStyle = '#e2e8f0';
  ctx.lineWidth = 1;
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.l, y(v));
    ctx.lineTo(w - pad.r, y(v));
    ctx.stroke();
    ctx.fillText(`${Math.round(v)} ms`, 2, y(v) + 4);
  }
  const line = (value, colour, label) => {
    ctx.strokeStyle = colour;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(pad.l, y(value));
    ctx.lineTo(w - pad.r, y(value));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = colour;
    ctx.fillText(`${label} ${value} ms`, w - pad.r - 80, y(value) - 3);
  };
  line(percentile(sorted, 50), '#2f855a', 'p50');
  line(percentile(sorted, 99), '#c53030', 'p99');
  ctx.strokeStyle = '#2b6cb0';
  ctx.lineWidth = 2;
  ctx.beginPath();
  samples.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
  ctx.stroke();
  ctx.fillStyle = '#2b6cb0';
  samples.forEach((v, i) => ctx.fillRect(x(i) - 1.5, y(v) - 1.5, 3, 3));
}

// ---------- server stats ----------

function flatten(value, prefix, out) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (!keys.length && prefix) out.push([prefix, '{}']);
    for (const k of keys) flatten(value[k], prefix ? `${prefix}.${k}` : k, out);
  } else {
    let shown;
    if (typeof value === 'number') shown = Number.isInteger(value) ? String(value) : value.toFixed(3);
    else if (Array.isArray(value)) shown = JSON.stringify(value).slice(0, 200);
    else shown = String(value);
    out.push([prefix || '(value)', shown]);
  }
  return out;
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const rate = (v) => (num(v) === null ? '–' : num(v).toFixed(2));
const ms = (v) => (num(v) === null ? '–' : `${Number.isInteger(v) ? v : v.toFixed(1)} ms`);
const counts = (map) => Object.entries(map).map(([k, v]) => `${k} ${v}`).join(', ');

/**
 * The rows shown for a GET /api/stats answer (org.robustws.admin.Stats): [key, label, text].
 * Fields this page does not know (a newer server) are shown flattened after the known ones.
 */
export function statsRows(body) {
  const rows = [];
  const known = new Set();
  const take = (key, label, text) => {
    known.add(key);
    rows.push([key, label, text]);
  };
  const c = body.connections;
  if (isObject(c)) {
    const endpoints = isObject(c.byEndpoint) ? ` (${counts(c.byEndpoint)})` : '';
    take('connections', 'Open connections', `${num(c.total) ?? '–'}${endpoints}`);
    if (isObject(c.byState)) {
      const busy = Object.fromEntries(Object.entries(c.byState).filter(([, v]) => v));
      rows.push(['connections.byState', 'By state', Object.keys(busy).length ? counts(busy) : 'none']);
    }
  }
  const m = body.messages;
  if (isObject(m)) {
    take('messages', 'Messages in / out', `${num(m.in) ?? '–'} / ${num(m.out) ?? '–'} since start`);
    rows.push(['messages.rate', 'Rate in / out', num(m.windowMillis)
      ? `${rate(m.inPerSecond)} / ${rate(m.outPerSecond)} msg/s over the last ${(m.windowMillis / 1000).toFixed(1)} s`
      : 'no rate yet (needs two samples)']);
  }
  const r = body.rtt;
  if (isObject(r)) {
    take('rtt', 'Heartbeat RTT p50 / p99', num(r.samples)
      ? `${ms(r.p50Millis)} / ${ms(r.p99Millis)} (${r.samples} connection${r.samples === 1 ? '' : 's'})`
      : 'no samples yet (measured on the server\'s heartbeat pings)');
  }
  if (num(body.uptimeMillis) !== null) {
    const since = num(body.startedAt) !== null ? ` (since ${new Date(body.startedAt).toLocaleString()})` : '';
    take('uptimeMillis', 'Uptime', `${formatDuration(Math.floor(body.uptimeMillis / 1000))}${since}`);
    known.add('startedAt');
  }
  if (typeof body.draining === 'boolean') {
    take('draining', 'Draining', body.draining ? 'yes: readiness DOWN, clients are being closed' : 'no');
  }
  const rest = Object.fromEntries(Object.entries(body).filter(([k]) => !known.has(k)));
  for (const [k, v] of flatten(rest, '', [])) rows.push([k, k, v]);
  return rows;
}

async function refreshStats() {
  const status = $('stats-status');
  try {
    const res = await fetch('api/stats', { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!res.ok) {
      status.textContent = `not available (HTTP ${res.status}) at ${time(Date.now())}`;
      return;
    }
    const body = await res.json();
    const dl = $('server-stats');
    dl.replaceChildren();
    for (const [key, label, text] of isObject(body) ? statsRows(body) : flatten(body, '', []).map(([k, v]) => [k, k, v])) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.dataset.key = key;
      dd.textContent = text;
      dl.append(dt, dd);
    }
    status.textContent = `updated ${time(Date.now())}`;
  } catch (e) {
    status.textContent = `not available (${e.message})`;
  }
}

function formatDuration(s) {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${d ? `${d}d ` : ''}${h}h ${m}m ${s % 60}s`;
}

// ---------- close history ----------

const closeHistory = [];

function recordClose({ code, reason, wasClean, ownRequest }) {
  const entry = { time: new Date().toISOString(), code, reason: reason || '', wasClean: !!wasClean, ownRequest: !!ownRequest, explanation: explainClose(code) };
  closeHistory.push(entry);
  const li = document.createElement('li');
  li.dataset.code = String(code);
  const head = document.createElement('div');
  const codeEl = document.createElement('span');
  codeEl.className = 'code';
  codeEl.textContent = String(code);
  const rule = closeCodeRule(code, ownRequest);
  head.append(codeEl, ` ${time(Date.now())}${reason ? ` — “${reason}”` : ''} · ${rule === 'never' ? 'no reconnect' : rule === 'after-shutdown' ? 'reconnect after shutdown delay' : 'reconnect with backoff'}`);
  const text = document.createElement('div');
  text.className = 'muted';
  text.textContent = entry.explanation;
  li.append(head, text);
  $('close-history').insertBefore(li, $('close-history').firstChild);
  $('close-history-empty').hidden = true;
}

// ---------- the client ----------

let client = null;
let reconnectPending = false;

function createClient() {
  const url = endpointUrl();
  const protocols = $('subprotocol').value.trim() || undefined;
  const reconnect = policyOverrides();
  if ($('endpoint').value === '/ws-legacy') return new LegacyClient(url, { protocols, reconnect });
  return new RobustWebSocket(url, {
    protocols,
    reconnect,
    queueLimit: Math.max(0, Number($('queue-limit').value) || 0),
    overflow: $('overflow').value,
    // read at every connect and refresh: a new token pasted here is used from the next one on
    getToken: () => $('token').value.trim() || null,
  });
}

function wire(c) {
  const on = (type, fn) => c.addEventListener(type, (e) => {
    if (c === client) fn(e.detail);
  });
  on('statechange', ({ state, previous, reason }) => {
    reconnectPending = state === 'disconnected' && /^reconnecting/.test(reason || '');
    renderState(state, reason);
    if (state === 'connected' && c instanceof RobustWebSocket) renderSession(c);
    logEvent(state === 'error' ? 'error' : 'info', 'state', `${previous} → ${state}${reason ? ` (${reason})` : ''}`);
  });
  on('open', ({ clientId, sessionId, config, extensions }) => {
    const ids = clientId ? `clientId ${clientId}, fresh session ${sessionId}` : 'socket open';
    logEvent('info', 'open', ids);
    renderCompression(extensions);
    if (config && config.reconnectStrategy) {
      showServerAdvice(config.reconnectStrategy);
      $('policy-in-force').textContent = `In force: ${JSON.stringify(c.strategy)}`;
    }
  });
  on('message', ({ message, raw, bytes }) => {
    counters.received++;
    renderCounters();
    logMessage('in', raw, message, bytes);
  });
  on('send', ({ message, raw, bytes }) => {
    counters.sent++;
    renderCounters();
    logMessage('out', raw, message, bytes);
  });
  on('close', (d) => {
    recordClose(d);
    logEvent(closeCodeRule(d.code, d.ownRequest) === 'never' && !d.ownRequest ? 'error' : d.code === 1000 ? 'info' : 'warn',
      'close', `code ${d.code}${d.reason ? ` “${d.reason}”` : ''}${d.wasClean ? '' : ', not clean'}`);
  });
  on('reconnecting', ({ attempt, delay, code, reason }) => {
    counters.reconnects++;
    renderCounters();
    logEvent('warn', 'reconnecting', `attempt ${attempt} in ${delay} ms after ${code} (${reason})`);
  });
  on('giveup', ({ reason }) => logEvent('error', 'gave up', `${reason}; press Connect to retry`));
  on('authenticated', ({ sub, expiresAt }) => {
    $('identity').textContent = `${sub}, token valid until ${time(expiresAt)}`;
    logEvent('info', 'authenticated', `as ${sub} until ${time(expiresAt)}`);
  });
  on('unsubscribed', ({ channel, reason }) => logEvent('warn', 'unsubscribed', `${channel} by the server: ${reason}`));
  on('resumed', ({ replayed, lastSeq }) => {
    counters.resumes++;
    counters.replayed += replayed;
    renderCounters();
    renderSession(c);
    logEvent('info', 'resumed', `replayed ${replayed} events, lastSeq ${lastSeq}`);
  });
  on('resumefailed', ({ reason, lostAfterSeq, channels }) => {
    renderSession(c);
    logEvent('error', 'resume failed', `${reason}: events after seq ${lostAfterSeq} are lost for this client; `
      + `re-subscribed ${channels.length ? channels.join(', ') : '(no channels)'} in the new session; reload state from its source`);
  });
  on('gap', ({ expected, got }) => {
    counters.gaps++;
    renderCounters();
    logEvent('error', 'gap', `expected seq ${expected}, got ${got}: ${got - expected} events lost`);
  });
  on('duplicate', ({ seq }) => logEvent('debug', 'duplicate', `event seq ${seq} already processed, ignored`));
  on('shutdown', ({ reconnectAfter }) => logEvent('warn', 'shutdown', `server restarting; reconnect in ${reconnectAfter} ms`));
  on('heartbeattimeout', ({ silentFor }) => logEvent('error', 'heartbeat timeout', `no pong for ${silentFor} ms: treating the connection as dropped`));
  on('queueoverflow', ({ policy }) => logEvent('warn', 'queue overflow', `offline queue full; policy ${policy}`));
  on('latency', ({ rtt }) => addLatency(rtt));
  on('error', ({ error, code }) => logEvent(code ? 'warn' : 'error', 'error', error.message));
}

/** Shows the server's advice as the placeholders of the empty policy fields. */
function showServerAdvice(advice) {
  const map = { 'initial-delay': 'initialDelay', 'max-delay': 'maxDelay', multiplier: 'multiplier', jitter: 'jitter', 'max-attempts': 'maxAttempts' };
  for (const [id, key] of Object.entries(map)) {
    if (typeof advice[key] === 'number') $(id).placeholder = `server: ${advice[key]}`;
  }
}

/** Whether the server accepted the browser's permessage-deflate offer (ws.compression). */
function renderCompression(extensions) {
  const negotiated = /(^|,)\s*permessage-deflate/.test(extensions || '');
  $('compression').dataset.negotiated = String(negotiated);
  $('compression').textContent = negotiated ? `Compression: on (${extensions})` : 'Compression: off';
}

function renderSession(c) {
  if (!c.session) {
    $('session-info').textContent = '';
    return;
  }
  $('session-info').textContent = `clientId ${c.clientId} · session ${c.session.sessionId} · lastSeq ${c.lastSeq}`;
}

function connect() {
  saveSettings();
  if (client && client.state !== 'disconnected' && client.state !== 'error') return;
  if (client && (client.state === 'error' || reconnectPending)) client.disconnect();
  client = createClient();
  wire(client);
  logEvent('info', 'connect', `${client.url}${$('subprotocol').value.trim() ? ` (subprotocol ${$('subprotocol').value.trim()})` : ''}`);
  client.connect();
}

function needClient() {
  $('send-error').textContent = '';
  if (!client) {
    $('send-error').textContent = 'Connect first.';
    return false;
  }
  return true;
}

function parseMaybeJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return text;
  }
}

function trySend(message) {
  if (!needClient()) return;
  try {
    const result = client.send(message);
    if (result !== 'sent') $('send-error').textContent = result === 'queued' ? 'Not connected: queued for the next connection.' : 'Not connected: dropped.';
  } catch (e) {
    $('send-error').textContent = e.message;
  }
}

let requestId = 0;

function bindMessages() {
  $('send-ping').addEventListener('click', () => {
    if (!needClient()) return;
    if (!client.ping()) $('send-error').textContent = 'Not connected: a ping is only sent on a live connection.';
  });
  $('send-echo').addEventListener('click', () => {
    if ($('endpoint').value === '/ws-legacy') trySend($('echo-payload').value);
    else trySend({ type: 'echo', payload: parseMaybeJson($('echo-payload').value) });
  });
  $('subscribe').addEventListener('click', () => {
    saveSettings();
    if (needClient()) client.subscribe($('channel').value.trim(), `sub-${++requestId}`);
  });
  $('unsubscribe').addEventListener('click', () => {
    if (needClient()) client.unsubscribe($('channel').value.trim(), `unsub-${++requestId}`);
  });
  $('publish').addEventListener('click', () => {
    if (!needClient()) return;
    // resolves with the server's ack (sent again after a reconnect until then), or rejects
    if (client.state !== 'connected') $('send-error').textContent = 'Not connected: queued for the next connection.';
    client.publish($('channel').value.trim(), parseMaybeJson($('publish-data').value)).then(
      ({ id, offset, epoch, delivered, repeated }) => logEvent('info', 'published', `${id}: offset ${offset} (epoch ${epoch}), delivered to ${delivered}${repeated ? ', repeated' : ''}`),
      (e) => {
        $('send-error').textContent = e.message;
        logEvent('warn', 'publish failed', e.message);
      },
    );
  });
  $('send-json').addEventListener('click', () => {
    let obj;
    try {
      obj = JSON.parse($('custom-json').value);
    } catch (e) {
      $('send-error').textContent = `Not valid JSON: ${e.message}`;
      return;
    }
    trySend(JSON.stringify(obj));
  });
  $('send-raw').addEventListener('click', () => trySend($('raw-text').value));
}

// ---------- resume test ----------

function waitFor(target, type, predicate, ms) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      target.removeEventListener(type, handler);
      reject(new Error(`timed out after ${ms} ms waiting for ${type}`));
    }, ms);
    function handler(e) {
      const detail = e.detail !== undefined ? e.detail : e;
      if (predicate(detail)) {
        clearTimeout(t);
        target.removeEventListener(type, handler);
        resolve(detail);
      }
    }
    target.addEventListener(type, handler);
  });
}

function publishFromSecondConnection(channel, count) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(endpointUrl());
    const ids = [];
    let acks = 0;
    const t = setTimeout(() => {
      ws.close();
      reject(new Error('the publishing connection timed out'));
    }, 10000);
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'system' && m.event === 'connected') {
        for (let i = 1; i <= count; i++) {
          const id = `rt-${Date.now()}-${i}`;
          ids.push(id);
          ws.send(JSON.stringify({ type: 'publish', channel, data: { n: i }, id }));
        }
      } else if (m.type === 'ack' && ids.includes(m.id) && ++acks === count) {
        clearTimeout(t);
        ws.close(1000, 'resume test done');
        resolve(ids);
      } else if (m.type === 'error') {
        clearTimeout(t);
        ws.close();
        reject(new Error(`${m.error}: ${m.message}`));
      }
    };
    ws.onerror = () => reject(new Error('the publishing connection failed'));
  });
}

async function runResumeTest() {
  const out = $('resume-result');
  const report = (outcome, text) => {
    out.dataset.outcome = outcome;
    out.textContent = text;
  };
  if (!client || !(client instanceof RobustWebSocket) || client.state !== 'connected') {
    report('fail', 'Connect to /ws first.');
    return;
  }
  saveSettings();
  const c = client;
  const channel = $('resume-channel').value.trim();
  const count = Math.max(1, Math.min(500, Number($('resume-count').value) || 5));
  report('running', `Subscribing to ${channel}…`);
  const received = [];
  const gaps = [];
  const onEvent = (e) => e.detail.channel === channel && received.push(e.detail);
  const onGap = (e) => gaps.push(e.detail);
  try {
    const subscribed = waitFor(c, 'message', (d) => d.message && d.message.type === 'subscribed' && d.message.channel === channel, 5000);
    c.subscribe(channel, `rt-sub-${++requestId}`);
    await subscribed;
    const fromSeq = c.lastSeq;
    const before = c.positions[channel];
    c.addEventListener('event', onEvent);
    c.addEventListener('gap', onGap);
    report('running', 'Dropping the connection…');
    c.forceReconnect(60000); // hold the reconnect until the events are published
    logEvent('warn', 'resume test', `connection dropped at seq ${fromSeq}; publishing ${count} events from a second connection`);
    const ids = await publishFromSecondConnection(channel, count);
    report('running', `Published ${count} events while away; reconnecting…`);
    const outcome = Promise.race([
      waitFor(c, 'resumed', () => true, 15000).then((d) => ({ ok: true, ...d })),
      waitFor(c, 'resumefailed', () => true, 15000).then((d) => ({ ok: false, ...d })),
    ]);
    c.reconnectNow();
    const r = await outcome;
    const got = received.filter((e) => ids.includes(e.id));
    const seqs = got.map((e) => e.seq);
    const contiguous = seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1);
    const missing = ids.filter((id) => !got.some((e) => e.id === id));
    // where the page stood in the channel's stream before the drop and after the resume: the
    // library sends these positions with `resume`
    const show = (p) => (p ? `offset ${p.offset} (epoch ${p.epoch})` : 'start');
    const after = c.positions[channel];
    const where = ` Position in ${channel}: ${show(before)} → ${show(after)}.`;
    out.dataset.position = after ? String(after.offset) : '';
    if (!r.ok) {
      report('fail', `Resume failed (${r.reason}): events after seq ${r.lostAfterSeq} are lost; ${got.length}/${count} arrived.${where}`);
    } else {
      const pass = r.replayed >= count && missing.length === 0 && gaps.length === 0 && contiguous;
      report(pass ? 'pass' : 'fail',
        `Resumed: replayed ${r.replayed} events (published ${count} while away), seq ${seqs.length ? `${seqs[0]}–${seqs[seqs.length - 1]}` : 'none'}, `
        + `gaps ${gaps.length}, missing ${missing.length}${contiguous ? '' : ', out of order'}.${where}`);
    }
    out.dataset.replayed = String(r.ok ? r.replayed : 0);
    out.dataset.gaps = String(gaps.length + missing.length);
  } catch (e) {
    report('fail', `Resume test failed: ${e.message}`);
    if (c.state === 'disconnected') c.reconnectNow();
  } finally {
    c.removeEventListener('event', onEvent);
    c.removeEventListener('gap', onGap);
  }
}

// ---------- start ----------

function init() {
  loadSettings();
  renderEndpointMode();
  renderState('disconnected', '');
  renderCounters();
  drawChart([]);
  for (const id of SETTING_FIELDS) $(id).addEventListener('change', saveSettings);
  $('endpoint').addEventListener('change', renderEndpointMode);
  for (const id of ['initial-delay', 'max-delay', 'multiplier', 'jitter', 'max-attempts']) {
    $(id).addEventListener('change', () => client && client.setReconnectStrategy(policyOverrides()));
  }
  $('connect').addEventListener('click', connect);
  $('disconnect').addEventListener('click', () => {
    if (!client) return;
    client.disconnect();
    // a pending reconnect is cancelled without a state change (it was already "disconnected")
    reconnectPending = false;
    renderState(client.state, client.state === 'disconnected' ? 'closed by the application' : $('state-detail').textContent);
  });
  $('force-reconnect').addEventListener('click', () => client && client.forceReconnect());
  $('log-level').addEventListener('change', applyLevelFilter);
  $('clear-logs').addEventListener('click', () => {
    logs.events.length = 0;
    logs.messages.length = 0;
    $('event-log').tBodies[0].replaceChildren();
    $('message-log').tBodies[0].replaceChildren();
  });
  $('export-logs').addEventListener('click', exportLogs);
  $('resume-test').addEventListener('click', runResumeTest);
  bindMessages();
  window.addEventListener('resize', () => drawChart([...samples].sort((a, b) => a - b)));
  $('stats-refresh').addEventListener('click', refreshStats);
  refreshStats();
  setInterval(refreshStats, 5000);
  document.body.dataset.ready = 'true';
}

init();
