// The page's settings: the fields kept in localStorage, the reconnect policy the fields
// override, and the endpoint's URL.

export const SETTINGS_KEY = 'robust-websocket-test.settings';

export const SETTING_FIELDS = ['endpoint', 'subprotocol', 'initial-delay', 'max-delay', 'multiplier', 'jitter', 'max-attempts',
  'queue-limit', 'overflow', 'channel', 'log-level', 'resume-channel', 'resume-count'];

/** The policy fields and the reconnectStrategy field each overrides. */
export const POLICY_FIELDS = Object.freeze({
  'initial-delay': 'initialDelay',
  'max-delay': 'maxDelay',
  multiplier: 'multiplier',
  jitter: 'jitter',
  'max-attempts': 'maxAttempts',
});

/**
 * The strategy overrides of the policy fields that hold a number; empty ones keep the server's
 * advice.
 *
 * @param {(id: string) => string} value the text of a field
 */
export function policyOverrides(value) {
  const out = {};
  for (const [id, key] of Object.entries(POLICY_FIELDS)) {
    const v = value(id).trim();
    if (v !== '' && Number.isFinite(Number(v))) out[key] = Number(v);
  }
  return out;
}

/** The placeholders that show the server's advice in the empty policy fields: [id, text]. */
export function advicePlaceholders(advice) {
  return Object.entries(POLICY_FIELDS)
    .filter(([, key]) => typeof advice[key] === 'number')
    .map(([id, key]) => [id, `server: ${advice[key]}`]);
}

/** `ws:` or `wss:` (as the page's own scheme) to the page's host and the endpoint's path. */
export function endpointUrl(location, path) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}

/** Whether the endpoint speaks the legacy protocol. */
export function isLegacy(path) {
  return path === '/ws-legacy';
}

/**
 * Fills the fields from storage; a field without a saved value keeps its default.
 *
 * @param {Storage} storage
 * @param {(id: string) => {value: string} | null} field
 */
export function loadSettings(storage, field) {
  let saved = {};
  try {
    saved = JSON.parse(storage.getItem(SETTINGS_KEY) || '{}') || {};
  } catch (e) {
    saved = {};
  }
  for (const id of SETTING_FIELDS) {
    const f = field(id);
    if (typeof saved[id] === 'string' && f) f.value = saved[id];
  }
  if (!field('queue-limit').value) field('queue-limit').value = '100';
}

/**
 * @param {Storage} storage
 * @param {(id: string) => {value: string}} field
 * @returns {string|null} why they were not saved, or null
 */
export function saveSettings(storage, field) {
  const out = {};
  for (const id of SETTING_FIELDS) out[id] = field(id).value;
  try {
    storage.setItem(SETTINGS_KEY, JSON.stringify(out));
    return null;
  } catch (e) {
    return e.message;
  }
}
