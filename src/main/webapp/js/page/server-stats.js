// GET /api/stats (org.robustws.admin.Stats) as rows of labels and figures.
import { formatDuration, time } from './format.js';

/** Flattens an answer to [dotted key, shown value] pairs (for fields this page does not know). */
export function flatten(value, prefix, out) {
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
 * The rows shown for a GET /api/stats answer: [key, label, text]. Fields this page does not know
 * (a newer server) are shown flattened after the known ones.
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

/**
 * Loads the figures and shows them in the list (one `dd[data-key]` per figure).
 *
 * @param {{list: HTMLElement, status: HTMLElement, fetch: typeof fetch}} view
 */
export async function refreshStats({ list, status, fetch }) {
  try {
    const res = await fetch('api/stats', { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!res.ok) {
      status.textContent = `not available (HTTP ${res.status}) at ${time(Date.now())}`;
      return;
    }
    const body = await res.json();
    const doc = list.ownerDocument;
    list.replaceChildren();
    for (const [key, label, text] of isObject(body) ? statsRows(body) : flatten(body, '', []).map(([k, v]) => [k, k, v])) {
      const dt = doc.createElement('dt');
      dt.textContent = label;
      const dd = doc.createElement('dd');
      dd.dataset.key = key;
      dd.textContent = text;
      list.append(dt, dd);
    }
    status.textContent = `updated ${time(Date.now())}`;
  } catch (e) {
    status.textContent = `not available (${e.message})`;
  }
}
