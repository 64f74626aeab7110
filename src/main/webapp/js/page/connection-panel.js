// The connection panel: state, buttons, counters, session, compression, the server's advice
// and the close history. Its decisions are pure functions; ConnectionPanel puts them on the page.
import { closeRuleText, explainClose } from './close-codes.js';
import { time } from './format.js';
import { advicePlaceholders } from './settings.js';

export const COUNTERS = ['reconnects', 'sent', 'received', 'resumes', 'replayed', 'gaps'];

/**
 * Which controls are usable: Connect while idle, Disconnect while connected or waiting to
 * reconnect, Force reconnect only when connected; the endpoint fields only while idle.
 *
 * @param {{state: string, hasClient: boolean, reconnectPending: boolean}} input
 */
export function controls({ state, hasClient, reconnectPending }) {
  const idle = !hasClient || (state === 'disconnected' && !reconnectPending) || state === 'error';
  return {
    connect: idle,
    disconnect: !idle || reconnectPending,
    forceReconnect: state === 'connected',
    endpoint: idle,
  };
}

/** Whether a statechange means a reconnect is scheduled (the library's `reconnecting in … ms`). */
export function isReconnectPending(state, reason) {
  return state === 'disconnected' && /^reconnecting/.test(reason || '');
}

/** Whether the server accepted the browser's permessage-deflate offer (ws.compression), and the text shown. */
export function compression(extensions) {
  const negotiated = /(^|,)\s*permessage-deflate/.test(extensions || '');
  return { negotiated, text: negotiated ? `Compression: on (${extensions})` : 'Compression: off' };
}

/** The session line, e.g. `clientId c-1 · session s-1 · lastSeq 7`; empty without a session. */
export function sessionText(client) {
  if (!client || !client.session) return '';
  return `clientId ${client.clientId} · session ${client.session.sessionId} · lastSeq ${client.lastSeq}`;
}

/** An entry of the close history (also exported with the logs). */
export function closeEntry({ code, reason, wasClean, ownRequest }, now) {
  return {
    time: new Date(now).toISOString(),
    code,
    reason: reason || '',
    wasClean: !!wasClean,
    ownRequest: !!ownRequest,
    rule: closeRuleText(code, ownRequest),
    explanation: explainClose(code),
  };
}

export class ConnectionPanel {
  /** @param {(id: string) => HTMLElement} $ */
  constructor($) {
    this.$ = $;
    this.counters = Object.fromEntries(COUNTERS.map((k) => [k, 0]));
    this.closes = [];
  }

  count(name, by = 1) {
    this.counters[name] += by;
    this.renderCounters();
  }

  renderCounters() {
    for (const [k, v] of Object.entries(this.counters)) this.$(`count-${k}`).textContent = String(v);
  }

  /** @param {{state: string, reason: string, hasClient: boolean, reconnectPending: boolean}} s */
  renderState({ state, reason, hasClient, reconnectPending }) {
    const $ = this.$;
    $('state').dataset.state = state;
    $('state-word').textContent = state;
    $('state-detail').textContent = reason || '';
    const c = controls({ state, hasClient, reconnectPending });
    $('connect').disabled = !c.connect;
    $('disconnect').disabled = !c.disconnect;
    $('force-reconnect').disabled = !c.forceReconnect;
    $('endpoint').disabled = !c.endpoint;
    $('subprotocol').disabled = !c.endpoint;
  }

  /** @param {boolean} legacy @param {string} url */
  renderEndpoint(legacy, url) {
    for (const el of this.$('connection-panel').ownerDocument.querySelectorAll('.ws-only')) el.disabled = legacy;
    this.$('url').value = url;
  }

  renderSession(client) {
    this.$('session-info').textContent = sessionText(client);
  }

  renderCompression(extensions) {
    const { negotiated, text } = compression(extensions);
    this.$('compression').dataset.negotiated = String(negotiated);
    this.$('compression').textContent = text;
  }

  renderIdentity({ sub, expiresAt }) {
    this.$('identity').textContent = `${sub}, token valid until ${time(expiresAt)}`;
  }

  /** The server's advice as the placeholders of the empty policy fields, and the strategy in force. */
  renderAdvice(advice, inForce) {
    for (const [id, text] of advicePlaceholders(advice)) this.$(id).placeholder = text;
    this.$('policy-in-force').textContent = `In force: ${JSON.stringify(inForce)}`;
  }

  recordClose(close, now = Date.now()) {
    const entry = closeEntry(close, now);
    this.closes.push(entry);
    const doc = this.$('close-history').ownerDocument;
    const li = doc.createElement('li');
    li.dataset.code = String(entry.code);
    const head = doc.createElement('div');
    const codeEl = doc.createElement('span');
    codeEl.className = 'code';
    codeEl.textContent = String(entry.code);
    head.append(codeEl, ` ${time(now)}${entry.reason ? ` — “${entry.reason}”` : ''} · ${entry.rule}`);
    const text = doc.createElement('div');
    text.className = 'muted';
    text.textContent = entry.explanation;
    li.append(head, text);
    this.$('close-history').insertBefore(li, this.$('close-history').firstChild);
    this.$('close-history-empty').hidden = true;
  }
}
