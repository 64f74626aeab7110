// Close codes in plain language (docs/protocol.md section 11), for the close history and logs.
import { closeCodeRule } from '../robust-websocket.js';

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
  4100: 'Closed by this page to reconnect (Force reconnect, a resume test, a connect timeout, a failed wake-up check, or no pong within heartbeatTimeout).',
};

/** What a close code means, in a sentence or three. */
export function explainClose(code) {
  if (CLOSE_CODES[code]) return CLOSE_CODES[code];
  if (code >= 4000 && code <= 4999) return 'Application-specific code not known to this page; treated like 1006.';
  return 'Unknown code; treated like 1006 (reconnect with backoff).';
}

/** What the library does after the close, as the close history says it. */
export function closeRuleText(code, ownRequest) {
  const rule = closeCodeRule(code, ownRequest);
  if (rule === 'never') return 'no reconnect';
  return rule === 'after-shutdown' ? 'reconnect after shutdown delay' : 'reconnect with backoff';
}

/** The log level of a close: an error when it ends the connection for good without being asked to. */
export function closeLevel(code, ownRequest) {
  if (closeCodeRule(code, ownRequest) === 'never' && !ownRequest) return 'error';
  return code === 1000 ? 'info' : 'warn';
}
