// @ts-check
/**
 * decisions.js: what the client does, as pure functions of what happened (docs/client.md, "What
 * it does on its own"): the close-code rule, the backoff delay and the reconnect decision of
 * docs/protocol.md sections 11 and 13, the heartbeat, the token refresh and the order of events.
 * Part of robust-websocket.js, which re-exports all of it; the types are in robust-websocket.d.ts.
 */

/** @typedef {import('./robust-websocket.js').ReconnectStrategy} ReconnectStrategy */
/** @typedef {import('./robust-websocket.js').ReconnectDecision} ReconnectDecision */

/** The server's defaults (docs/protocol.md section 13), used until `system/connected` says otherwise. */
/** @type {Readonly<ReconnectStrategy>} */
export const DEFAULT_STRATEGY = Object.freeze({
  initialDelay: 1000,
  maxDelay: 30000,
  multiplier: 1.5,
  jitter: 0.5,
  maxAttempts: 10,
});

const NEVER = new Set([1000, 1002, 1003, 1007, 1008, 1009, 4001, 4003, 4009]);

/**
 * How the close-code table of docs/protocol.md (section 11) classifies a code.
 *
 * @param {number} code the close code
 * @param {boolean} [ownRequest] whether this client asked for the close (matters for 1000)
 * @returns {'never'|'after-shutdown'|'backoff'} `never`: do not reconnect without a change
 *   (also 4003, an invalid token, and 4009, too many connections of the user);
 *   `after-shutdown`: a restart (1012), reconnect after the `reconnectAfter` of `system/shutdown`;
 *   `backoff`: reconnect with backoff (1001, 1006, 1011, 1013, 4000, 4004 with a fresh token,
 *   4005, 4008 and any unknown code, which counts as 1006; also a 1000 the client did not ask
 *   for: an operator's close)
 */
export function closeCodeRule(code, ownRequest = false) {
  if (code === 1000) {
    return ownRequest ? 'never' : 'backoff';
  }
  if (NEVER.has(code)) {
    return 'never';
  }
  if (code === 1012) {
    return 'after-shutdown';
  }
  return 'backoff';
}

/**
 * Merges reconnect strategies: later arguments win, missing or invalid fields are skipped.
 *
 * @param {...(Partial<ReconnectStrategy>|null|undefined)} layers e.g. DEFAULT_STRATEGY, the
 *   server's advice, the caller's overrides
 * @returns {ReconnectStrategy}
 */
export function mergeStrategy(...layers) {
  /** @type {ReconnectStrategy} */
  const out = { ...DEFAULT_STRATEGY };
  for (const layer of layers) {
    if (!layer || typeof layer !== 'object') continue;
    for (const key of /** @type {(keyof ReconnectStrategy)[]} */ (Object.keys(DEFAULT_STRATEGY))) {
      const v = layer[key];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
    }
  }
  out.jitter = Math.min(1, out.jitter);
  out.multiplier = Math.max(1, out.multiplier);
  out.maxDelay = Math.max(out.initialDelay, out.maxDelay);
  return out;
}

/**
 * The delay before reconnect attempt number `attempt` (0 for the first reconnect after a drop):
 * `cap = min(maxDelay, initialDelay * multiplier^attempt)`, then
 * `delay = cap * (1 - jitter) + random() * cap * jitter`. With `jitter = 1` this is "full jitter"
 * (uniform in [0, cap]); the server advises 0.5, i.e. uniform in [cap/2, cap].
 *
 * @param {number} attempt consecutive failed attempts so far (>= 0)
 * @param {Partial<ReconnectStrategy>} [strategy] a reconnectStrategy (merged over DEFAULT_STRATEGY)
 * @param {() => number} [random] a source of numbers in [0, 1)
 * @returns {number} whole milliseconds
 */
export function backoffDelay(attempt, strategy = DEFAULT_STRATEGY, random = Math.random) {
  const s = mergeStrategy(strategy);
  const n = Math.max(0, Math.floor(attempt) || 0);
  const cap = Math.min(s.maxDelay, s.initialDelay * Math.pow(s.multiplier, n));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(cap * (1 - s.jitter) + r * cap * s.jitter);
}

/**
 * What to do after a connection closed.
 *
 * @param {object} input
 * @param {number} input.code the close code (1006 for a drop the library detected itself)
 * @param {boolean} [input.ownRequest] the application asked for this close (`disconnect()`)
 * @param {number} [input.attempt] consecutive failed attempts so far
 * @param {Partial<ReconnectStrategy>} [input.strategy] the reconnect strategy in force
 * @param {number|null} [input.shutdownReconnectAfter] `reconnectAfter` of a `system/shutdown`
 *   received on this connection, if any
 * @param {() => number} [input.random]
 * @returns {ReconnectDecision} `reason` is one of `own-request`, `no-reconnect-code`,
 *   `max-attempts` (no reconnect) or `shutdown`, `backoff`
 */
export function reconnectDecision({
  code,
  ownRequest = false,
  attempt = 0,
  strategy = DEFAULT_STRATEGY,
  shutdownReconnectAfter = null,
  random = Math.random,
}) {
  const s = mergeStrategy(strategy);
  if (ownRequest) {
    return { reconnect: false, delay: 0, nextAttempt: attempt, reason: 'own-request' };
  }
  const rule = closeCodeRule(code, false);
  if (rule === 'never') {
    return { reconnect: false, delay: 0, nextAttempt: attempt, reason: 'no-reconnect-code' };
  }
  if (rule === 'after-shutdown' && typeof shutdownReconnectAfter === 'number' && shutdownReconnectAfter >= 0) {
    // already jittered per client by the server; does not count as a failed attempt
    return { reconnect: true, delay: Math.round(shutdownReconnectAfter), nextAttempt: attempt, reason: 'shutdown' };
  }
  if (attempt >= s.maxAttempts) {
    return { reconnect: false, delay: 0, nextAttempt: attempt, reason: 'max-attempts' };
  }
  return { reconnect: true, delay: backoffDelay(attempt, s, random), nextAttempt: attempt + 1, reason: 'backoff' };
}

/**
 * The app-level heartbeat: browsers cannot see protocol pings, so the client pings.
 *
 * @param {object} input
 * @param {number} input.now
 * @param {number} input.lastPingAt when the last app-level ping was sent (0: never)
 * @param {number|null} input.pingOutstandingSince when the oldest unanswered ping was sent, or null
 * @param {number} input.heartbeatInterval send a ping this often
 * @param {number} input.heartbeatTimeout no pong for this long after a ping: the connection is dead
 * @returns {'timeout'|'ping'|'wait'}
 */
export function heartbeatDecision({ now, lastPingAt, pingOutstandingSince, heartbeatInterval, heartbeatTimeout }) {
  if (pingOutstandingSince != null && now - pingOutstandingSince >= heartbeatTimeout) {
    return 'timeout';
  }
  if (now - lastPingAt >= heartbeatInterval) {
    return 'ping';
  }
  return 'wait';
}

/**
 * When to refresh a token that expires at `expiresAt`: `refreshBefore` ms ahead of it, or halfway
 * for a token that lives less than twice that; not sooner than 1 s from now.
 *
 * @param {number} now
 * @param {number} expiresAt epoch ms, from `authenticated`
 * @param {number} refreshBefore
 * @returns {number} the delay in ms
 */
export function tokenRefreshDelay(now, expiresAt, refreshBefore) {
  const remaining = expiresAt - now;
  return Math.max(1000, remaining - Math.min(refreshBefore, Math.floor(remaining / 2)));
}

/**
 * Classifies an incoming event's `seq` against the last one processed.
 *
 * @param {number} lastSeq
 * @param {number} seq
 * @returns {'next'|'duplicate'|'gap'} `duplicate`: seq <= lastSeq (ignore it); `gap`: events
 *   between were lost (report it); `next`: exactly lastSeq + 1
 */
export function classifySeq(lastSeq, seq) {
  if (seq <= lastSeq) return 'duplicate';
  if (seq === lastSeq + 1) return 'next';
  return 'gap';
}
