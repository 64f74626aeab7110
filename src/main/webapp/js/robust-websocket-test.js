// The test page (robust-websocket-test.html): wires the page's modules (js/page/) to one client
// of the library, on /ws or, with protocol 'legacy', on /ws-legacy. An ES module: no inline
// script, no onclick=, nothing from a CDN. The page's state is the `page` object below; the
// modules hold none of their own beyond what is handed to them here.
import { RobustWebSocket } from './robust-websocket.js';
import { ConnectionPanel, isReconnectPending } from './page/connection-panel.js';
import { LatencyView } from './page/diagnostics-chart.js';
import { downloadJson, LOGGED_EVENTS, logEntry, Logs } from './page/logs.js';
import { bindMessages } from './page/messages.js';
import { eventCount, runResumeTest } from './page/resume-test.js';
import { refreshStats } from './page/server-stats.js';
import { endpointUrl, isLegacy, loadSettings, POLICY_FIELDS, policyOverrides, saveSettings, SETTING_FIELDS } from './page/settings.js';

const $ = (id) => document.getElementById(id);
const value = (id) => $(id).value;

const page = {
  /** @type {RobustWebSocket|null} */
  client: null,
  reconnectPending: false,
};
const panel = new ConnectionPanel($);
const latency = new LatencyView($, () => window.devicePixelRatio || 1);
const logs = new Logs({ events: $('event-log'), messages: $('message-log'), level: () => value('log-level') });
const log = (level, event, details) => logs.event(level, event, details);
const legacy = () => isLegacy(value('endpoint'));
const url = () => endpointUrl(location, value('endpoint'));
const save = () => {
  const why = saveSettings(localStorage, $);
  if (why) log('warn', 'settings', `not saved: ${why}`);
};

function renderState(state, reason) {
  panel.renderState({ state, reason, hasClient: page.client !== null, reconnectPending: page.reconnectPending });
}

function createClient() {
  const protocols = value('subprotocol').trim() || undefined;
  return new RobustWebSocket(url(), {
    protocol: legacy() ? 'legacy' : 'v1',
    protocols,
    reconnect: policyOverrides(value),
    queueLimit: Math.max(0, Number(value('queue-limit')) || 0),
    overflow: /** @type {any} */ (value('overflow')),
    // read at every connect and refresh: a new token pasted here is used from the next one on
    getToken: () => value('token').trim() || null,
  });
}

/** Shows what the client does; events of a client the page has replaced are ignored. */
function wire(c) {
  const on = (type, fn) => c.addEventListener(type, (e) => {
    if (c === page.client) fn(e.detail);
  });
  for (const type of LOGGED_EVENTS) {
    on(type, (d) => {
      if (type === 'statechange') page.reconnectPending = isReconnectPending(d.state, d.reason);
      const entry = logEntry(type, d);
      if (entry) log(...entry);
    });
  }
  on('statechange', ({ state, reason }) => {
    renderState(state, reason);
    if (state === 'connected') panel.renderSession(c);
  });
  on('open', ({ config, extensions }) => {
    panel.renderCompression(extensions);
    if (config && config.reconnectStrategy) panel.renderAdvice(config.reconnectStrategy, c.strategy);
  });
  on('message', ({ message, raw, bytes }) => {
    panel.count('received');
    logs.message('in', raw, message, bytes);
  });
  on('send', ({ message, raw, bytes }) => {
    panel.count('sent');
    logs.message('out', raw, message, bytes);
  });
  on('close', (d) => panel.recordClose(d));
  on('reconnecting', () => panel.count('reconnects'));
  on('authenticated', (d) => panel.renderIdentity(d));
  on('resumed', ({ replayed }) => {
    panel.count('resumes');
    panel.count('replayed', replayed);
    panel.renderSession(c);
  });
  on('resumefailed', () => panel.renderSession(c));
  on('gap', () => panel.count('gaps'));
  on('latency', ({ rtt }) => latency.add(rtt));
}

function connect() {
  save();
  const c = page.client;
  if (c && c.state !== 'disconnected' && c.state !== 'error') return;
  if (c && (c.state === 'error' || page.reconnectPending)) c.disconnect();
  page.client = createClient();
  wire(page.client);
  const subprotocol = value('subprotocol').trim();
  log('info', 'connect', `${page.client.url}${subprotocol ? ` (subprotocol ${subprotocol})` : ''}`);
  page.client.connect();
}

function disconnect() {
  const c = page.client;
  if (!c) return;
  c.disconnect();
  // a pending reconnect is cancelled without a state change (it was already "disconnected")
  page.reconnectPending = false;
  renderState(c.state, c.state === 'disconnected' ? 'closed by the application' : $('state-detail').textContent);
}

function resumeTest() {
  const out = $('resume-result');
  const report = (outcome, text, data = {}) => {
    Object.assign(out.dataset, data);
    out.dataset.outcome = outcome;
    out.textContent = text;
  };
  const c = page.client;
  if (!c || legacy() || c.state !== 'connected') {
    report('fail', 'Connect to /ws first.');
    return;
  }
  save();
  runResumeTest({ client: c, channel: value('resume-channel').trim(), count: eventCount(value('resume-count')), url: url(), report, log });
}

function exportLogs() {
  downloadJson(document, `robust-websocket-log-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, {
    exportedAt: new Date().toISOString(),
    page: location.href,
    endpoint: value('endpoint'),
    counters: panel.counters,
    latencyMs: latency.samples.values,
    closeHistory: panel.closes,
    connectionEvents: logs.events,
    messages: logs.messages,
  });
}

function init() {
  loadSettings(localStorage, $);
  const renderEndpoint = () => panel.renderEndpoint(legacy(), url());
  renderEndpoint();
  renderState('disconnected', '');
  panel.renderCounters();
  latency.draw();
  for (const id of SETTING_FIELDS) $(id).addEventListener('change', save);
  $('endpoint').addEventListener('change', renderEndpoint);
  for (const id of Object.keys(POLICY_FIELDS)) {
    $(id).addEventListener('change', () => page.client && page.client.setReconnectStrategy(policyOverrides(value)));
  }
  $('connect').addEventListener('click', connect);
  $('disconnect').addEventListener('click', disconnect);
  $('force-reconnect').addEventListener('click', () => page.client && page.client.forceReconnect());
  $('log-level').addEventListener('change', () => logs.applyLevel());
  $('clear-logs').addEventListener('click', () => logs.clear());
  $('export-logs').addEventListener('click', exportLogs);
  $('resume-test').addEventListener('click', resumeTest);
  bindMessages({ $, client: () => page.client, legacy, log, saveSettings: save });
  window.addEventListener('resize', () => latency.draw());
  const stats = () => refreshStats({ list: $('server-stats'), status: $('stats-status'), fetch: (...args) => window.fetch(...args) });
  $('stats-refresh').addEventListener('click', stats);
  stats();
  setInterval(stats, 5000);
  document.body.dataset.ready = 'true';
}

init();
