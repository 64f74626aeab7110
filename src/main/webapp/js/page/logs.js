// The page's two logs (connection events, messages): what a library event or a frame becomes
// as a row (pure functions), and the tables that show them, newest first.
import { closeLevel } from './close-codes.js';
import { time } from './format.js';

export const LEVELS = ['debug', 'info', 'warn', 'error'];
export const MAX_LOG = 1000;

/** Whether a row of `level` shows when the filter is at `threshold`. */
export function levelVisible(level, threshold) {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(threshold);
}

/** The type a frame is logged as: its `type` (`system/<event>` for system frames), `text` or `binary`. */
export function messageType(raw, message) {
  if (message && typeof message === 'object' && typeof message.type === 'string') {
    return message.type === 'system' && message.event ? `system/${message.event}` : message.type;
  }
  return typeof raw === 'string' ? 'text' : 'binary';
}

/** Pings, pongs, heartbeats and the page's own acks are debug; errors are warnings. */
export function messageLevel(type, dir) {
  if (type === 'error') return 'warn';
  if (type === 'pong' || type === 'ping' || type === 'heartbeat' || (type === 'ack' && dir === 'out')) return 'debug';
  return 'info';
}

/** A resume token or a JWT is never shown in full: they are secrets. Only their first 4 characters remain. */
export function maskSecrets(text) {
  return text.replace(/("(?:resumeToken|token)"\s*:\s*")([^"]{4})[^"]*"/g, '$1$2…"');
}

/**
 * The connection-event row for one of the library's events: [level, event, details], or null
 * for events that are not logged as such (message, send, event, latency: shown elsewhere).
 *
 * @param {string} type the library's event type
 * @param {any} d its detail
 */
export function logEntry(type, d) {
  switch (type) {
    case 'statechange':
      return [d.state === 'error' ? 'error' : 'info', 'state', `${d.previous} → ${d.state}${d.reason ? ` (${d.reason})` : ''}`];
    case 'open':
      return ['info', 'open', d.clientId ? `clientId ${d.clientId}, fresh session ${d.sessionId}` : 'socket open'];
    case 'close':
      return [closeLevel(d.code, d.ownRequest), 'close', `code ${d.code}${d.reason ? ` “${d.reason}”` : ''}${d.wasClean ? '' : ', not clean'}`];
    case 'reconnecting':
      return ['warn', 'reconnecting', `attempt ${d.attempt} in ${d.delay} ms after ${d.code} (${d.reason})`];
    case 'giveup':
      return ['error', 'gave up', `${d.reason}; press Connect to retry`];
    case 'authenticated':
      return ['info', 'authenticated', `as ${d.sub} until ${time(d.expiresAt)}`];
    case 'unsubscribed':
      return ['warn', 'unsubscribed', `${d.channel} by the server: ${d.reason}`];
    case 'resumed':
      return ['info', 'resumed', `replayed ${d.replayed} events, lastSeq ${d.lastSeq}`];
    case 'resumefailed':
      return ['error', 'resume failed', `${d.reason}: events after seq ${d.lostAfterSeq} are lost for this client; `
        + `re-subscribed ${d.channels.length ? d.channels.join(', ') : '(no channels)'} in the new session; reload state from its source`];
    case 'gap':
      return ['error', 'gap', `expected seq ${d.expected}, got ${d.got}: ${d.got - d.expected} events lost`];
    case 'duplicate':
      return ['debug', 'duplicate', `event seq ${d.seq} already processed, ignored`];
    case 'shutdown':
      return ['warn', 'shutdown', `server restarting; reconnect in ${d.reconnectAfter} ms`];
    case 'heartbeattimeout':
      return ['error', 'heartbeat timeout', `no pong for ${d.silentFor} ms: treating the connection as dropped`];
    case 'queueoverflow':
      return ['warn', 'queue overflow', `offline queue full; policy ${d.policy}`];
    case 'wakeup':
      return ['info', 'wakeup', `${d.trigger}${d.trigger === 'sleep' ? ` (timer ${d.gap} ms late)` : ''}: `
        + `${d.action === 'check' ? 'checking the connection with a ping' : 'reconnecting now, without waiting out the delay'}`];
    case 'paused':
      return ['warn', 'paused', 'offline: the reconnect waits for the network'];
    case 'error':
      return [d.code ? 'warn' : 'error', 'error', d.error instanceof Error ? d.error.message : String(d.error)];
    default:
      return null;
  }
}

/** The library's events that logEntry turns into rows. */
export const LOGGED_EVENTS = ['statechange', 'open', 'close', 'reconnecting', 'giveup', 'authenticated', 'unsubscribed', 'resumed',
  'resumefailed', 'gap', 'duplicate', 'shutdown', 'heartbeattimeout', 'queueoverflow', 'wakeup', 'paused', 'error'];

/**
 * The two log tables and what they hold (for the export).
 */
export class Logs {
  /**
   * @param {{events: HTMLTableElement, messages: HTMLTableElement, level: () => string,
   *   now?: () => number}} view the tables and the level filter's value
   */
  constructor({ events, messages, level, now = Date.now }) {
    this.view = { events, messages, level };
    this.now = now;
    this.events = [];
    this.messages = [];
  }

  event(level, event, details) {
    const ts = this.now();
    this._keep(this.events, { time: new Date(ts).toISOString(), level, event, details });
    this._row(this.view.events, [time(ts), level, event, details], { level, event });
  }

  message(dir, raw, message, bytes) {
    const ts = this.now();
    const type = messageType(raw, message);
    const level = messageLevel(type, dir);
    const content = maskSecrets(typeof raw === 'string' ? raw : `[${bytes} bytes binary]`);
    this._keep(this.messages, { time: new Date(ts).toISOString(), direction: dir, type, size: bytes, level, content });
    this._row(this.view.messages, [time(ts), dir === 'in' ? '↓ in' : '↑ out', type, `${bytes} B`,
      content.length > 400 ? `${content.slice(0, 400)}…` : content], { dir, type, level });
  }

  /** Hides the rows below the level filter. */
  applyLevel() {
    const threshold = this.view.level();
    for (const table of [this.view.events, this.view.messages]) {
      for (const tr of table.tBodies[0].rows) tr.classList.toggle('hidden', !levelVisible(tr.dataset.level, threshold));
    }
  }

  clear() {
    this.events.length = 0;
    this.messages.length = 0;
    this.view.events.tBodies[0].replaceChildren();
    this.view.messages.tBodies[0].replaceChildren();
  }

  _keep(list, entry) {
    list.push(entry);
    if (list.length > MAX_LOG) list.shift();
  }

  _row(table, cells, attrs) {
    const tbody = table.tBodies[0];
    const doc = table.ownerDocument;
    const tr = doc.createElement('tr');
    for (const [k, v] of Object.entries(attrs)) tr.dataset[k] = v;
    for (const c of cells) {
      const td = doc.createElement('td');
      td.textContent = c;
      tr.appendChild(td);
    }
    if (!levelVisible(attrs.level, this.view.level())) tr.classList.add('hidden');
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.rows.length > MAX_LOG) tbody.deleteRow(tbody.rows.length - 1);
  }
}

/** Offers the logs and whatever else the page adds as a JSON file download. */
export function downloadJson(doc, name, value) {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: 'application/json' });
  const a = doc.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  doc.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}
