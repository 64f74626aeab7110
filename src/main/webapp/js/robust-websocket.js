/**
 * robust-websocket.js: a dependency-free browser client for the `/ws` protocol v1 of
 * robust-websocket (see docs/client.md for the guide, docs/protocol.md for the wire protocol).
 *
 * What it does for you: reconnects with exponential backoff and jitter (the server's advice from
 * `system/connected`, or yours), follows the close-code rules, honours `system/shutdown`, resumes
 * the session on every reconnect (and re-subscribes, loudly, when the server cannot resume),
 * drops duplicate events and reports gaps, acknowledges events, detects a dead server with
 * app-level pings, measures latency, and queues what you send while it is offline.
 *
 * The decisions (backoff delay, reconnect or not, heartbeat) are pure exported functions, unit
 * tested with Node's test runner in src/test/js/.
 */

/** The five states of a RobustWebSocket, in the order a connection usually goes through them. */
export const STATES = Object.freeze(['connecting', 'connected', 'disconnecting', 'disconnected', 'error']);

/** The server's defaults (docs/protocol.md section 13), used until `system/connected` says otherwise. */
export const DEFAULT_STRATEGY = Object.freeze({
  initialDelay: 1000,
  maxDelay: 30000,
  multiplier: 1.5,
  jitter: 0.5,
  maxAttempts: 10,
});

/** Overflow policies of the offline queue. */
export const OVERFLOW_POLICIES = Object.freeze(['drop-oldest', 'drop-newest', 'error']);

/** Close code the library uses when it closes a socket to reconnect (its own request: no 1000). */
export const CLOSE_CLIENT_RECONNECT = 4100;

/** Close codes of authentication (docs/security.md). */
export const CLOSE_INVALID_TOKEN = 4003;
export const CLOSE_TOKEN_EXPIRED = 4004;
export const CLOSE_AUTH_TIMEOUT = 4005;
export const CLOSE_TOO_MANY_USER_CONNECTIONS = 4009;

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
 * @param {...object} layers e.g. DEFAULT_STRATEGY, the server's advice, the caller's overrides
 * @returns {{initialDelay:number,maxDelay:number,multiplier:number,jitter:number,maxAttempts:number}}
 */
export function mergeStrategy(...layers) {
  const out = { ...DEFAULT_STRATEGY };
  for (const layer of layers) {
    if (!layer || typeof layer !== 'object') continue;
    for (const key of Object.keys(DEFAULT_STRATEGY)) {
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
 * @param {object} [strategy] a reconnectStrategy (merged over DEFAULT_STRATEGY)
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
 * @param {object} [input.strategy] the reconnect strategy in force
 * @param {number|null} [input.shutdownReconnectAfter] `reconnectAfter` of a `system/shutdown`
 *   received on this connection, if any
 * @param {() => number} [input.random]
 * @returns {{reconnect:boolean, delay:number, nextAttempt:number, reason:string}} `reason` is one
 *   of `own-request`, `no-reconnect-code`, `max-attempts` (no reconnect) or `shutdown`, `backoff`
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
 * @returns {'next'|'duplicate'|'gap'} `duplicate`: seq <= lastSeq (ignore it); `gap`: events
 *   between were lost (report it); `next`: exactly lastSeq + 1
 */
export function classifySeq(lastSeq, seq) {
  if (seq <= lastSeq) return 'duplicate';
  if (seq === lastSeq + 1) return 'next';
  return 'gap';
}

/** The error `send` throws when the offline queue is full and the policy is `error`. */
export class QueueFullError extends Error {
  constructor(limit) {
    super(`offline queue full (${limit} messages)`);
    this.name = 'QueueFullError';
    this.limit = limit;
  }
}

/**
 * A bounded FIFO of frames waiting for a connection.
 */
export class OfflineQueue {
  /**
   * @param {number} limit at most this many frames (0: nothing is queued)
   * @param {'drop-oldest'|'drop-newest'|'error'} policy what to do with one more when full
   */
  constructor(limit = 100, policy = 'drop-oldest') {
    if (!OVERFLOW_POLICIES.includes(policy)) {
      throw new TypeError(`overflow policy must be one of ${OVERFLOW_POLICIES.join(', ')}`);
    }
    this.limit = Math.max(0, limit);
    this.policy = policy;
    this.items = [];
  }

  get size() {
    return this.items.length;
  }

  /**
   * @returns {{queued:boolean, dropped:(string|undefined)}} `dropped`: the frame that was lost
   * @throws {QueueFullError} when full and the policy is `error`
   */
  offer(frame) {
    if (this.items.length < this.limit) {
      this.items.push(frame);
      return { queued: true, dropped: undefined };
    }
    if (this.policy === 'error') throw new QueueFullError(this.limit);
    if (this.policy === 'drop-newest' || this.limit === 0) return { queued: false, dropped: frame };
    const dropped = this.items.shift();
    this.items.push(frame);
    return { queued: true, dropped };
  }

  drain() {
    const out = this.items;
    this.items = [];
    return out;
  }
}

const utf8 = new TextEncoder();

/** UTF-8 size of a frame in bytes (what the server's size limit counts). */
export function frameBytes(data) {
  if (typeof data === 'string') return utf8.encode(data).length;
  if (data && typeof data.byteLength === 'number') return data.byteLength;
  if (data && typeof data.size === 'number') return data.size;
  return 0;
}

/**
 * A WebSocket to a robust-websocket `/ws` endpoint that stays connected.
 *
 * Events (all `CustomEvent`s; the payload is in `event.detail`):
 * - `statechange` {state, previous, reason}: one of STATES
 * - `open` {clientId, sessionId, config}: `system/connected` arrived
 * - `message` {message, raw, bytes}: every frame received, parsed (raw text too)
 * - `send` {message, raw, bytes}: every frame sent
 * - `event` {channel, data, seq, offset, epoch, id, replayed}: a channel event, deduplicated, in
 *   `seq` order; `offset`/`epoch` place it in its channel (see `positions`)
 * - `resumed` {sessionId, replayed, lastSeq, positions}, `resumefailed` {reason, lostAfterSeq,
 *   channels, lostChannels}
 * - `gap` {expected, got}: events were lost (never silent)
 * - `duplicate` {seq}: an event that was already processed, ignored
 * - `close` {code, reason, wasClean, ownRequest}, `reconnecting` {attempt, delay, code, reason}
 * - `giveup` {attempts, code, reason}: no more reconnects (max attempts or a no-reconnect code)
 * - `shutdown` {reconnectAfter}, `latency` {rtt, serverTime}, `heartbeattimeout` {silentFor}
 * - `queueoverflow` {dropped, policy}, `error` {error} (server `error` frames and socket errors)
 * - `authenticated` {sub, expiresAt}: the server accepted the token (at connect and each refresh)
 * - `unsubscribed` {channel, reason}: the server ended a subscription (`forbidden`: the token no
 *   longer allows the channel); the channel is dropped from `channels`
 */
export class RobustWebSocket extends EventTarget {
  /**
   * @param {string} url e.g. `new URL('/ws', location.href).href.replace(/^http/, 'ws')`
   * @param {object} [options]
   * @param {string|string[]} [options.protocols] subprotocol(s), e.g. `robust-ws.v1`
   * @param {object} [options.reconnect] strategy fields that override the server's advice
   * @param {boolean} [options.resume=true] resume the session on reconnect
   * @param {number} [options.queueLimit=100] frames kept while offline
   * @param {'drop-oldest'|'drop-newest'|'error'} [options.overflow='drop-oldest']
   * @param {number} [options.ackEvery=100] send `ack` after this many events...
   * @param {number} [options.ackInterval=5000] ...or after this many ms, whichever comes first
   * @param {number} [options.heartbeatInterval] override of `config.heartbeatInterval`
   * @param {number} [options.heartbeatTimeout] override of `config.heartbeatTimeout`
   * @param {number} [options.connectTimeout=15000] no `system/connected` within this: a failed attempt
   * @param {string} [options.token] a JWT sent with `auth` as the first frame of every connection
   * @param {() => (string|Promise<string>)} [options.getToken] asked for a token before every
   *   connection and refresh (wins over `token`); after 4004 the client asks it for a fresh one
   * @param {number} [options.refreshBefore=30000] refresh this long before the token's `exp`
   * @param {typeof WebSocket} [options.WebSocket] the WebSocket class (tests)
   */
  constructor(url, options = {}) {
    super();
    this.url = url;
    this.options = {
      protocols: undefined,
      reconnect: {},
      resume: true,
      queueLimit: 100,
      overflow: 'drop-oldest',
      ackEvery: 100,
      ackInterval: 5000,
      heartbeatInterval: undefined,
      heartbeatTimeout: undefined,
      connectTimeout: 15000,
      token: undefined,
      getToken: undefined,
      refreshBefore: 30000,
      WebSocket: globalThis.WebSocket,
      ...options,
    };
    this.queue = new OfflineQueue(this.options.queueLimit, this.options.overflow);
    this.state = 'disconnected';
    this.serverStrategy = {};
    this.serverConfig = null;
    this.attempt = 0;
    this.clientId = null;
    /** the session this client is in: {sessionId, resumeToken} or null */
    this.session = null;
    this.lastSeq = 0;
    this.ackedSeq = 0;
    /**
     * per channel, the last event processed: {offset, epoch} of the channel's stream. Sent with
     * `resume`, so the server can resume from them where its session record does not reach.
     */
    this.positions = {};
    /** channels the application wants, and those the server's session holds (as far as we know) */
    this.channels = new Set();
    this.serverChannels = new Set();
    this.latency = null;
    /** who the server says this client is, from `authenticated`: {sub, expiresAt} or null */
    this.identity = null;
    this._lastToken = null;
    this.stats = { reconnects: 0, sent: 0, received: 0, resumes: 0, resumeFailures: 0, replayed: 0, gaps: 0, duplicates: 0, dropped: 0 };
    this._ws = null;
    this._ownClose = false;
    this._timers = {};
    this._resetConnectionState();
  }

  /** The reconnect strategy in force: defaults, then the server's advice, then the caller's. */
  get strategy() {
    return mergeStrategy(DEFAULT_STRATEGY, this.serverStrategy, this.options.reconnect);
  }

  /** Changes the caller's strategy overrides (used from the next reconnect on). */
  setReconnectStrategy(overrides) {
    this.options.reconnect = { ...overrides };
  }

  /** Opens the connection (and keeps it open). Harmless when already connecting or connected. */
  connect() {
    if (this._ws) return;
    this._ownClose = false;
    this._clearTimer('reconnect');
    this._open();
  }

  /** Closes with 1000; no reconnect. The session stays resumable on the server for its grace period. */
  disconnect(reason = 'client disconnect') {
    this._ownClose = true;
    this._clearTimer('reconnect');
    if (!this._ws) {
      this._setState('disconnected', reason);
      return;
    }
    this._setState('disconnecting', reason);
    this._stopConnectionTimers();
    try {
      this._ws.close(1000, reason);
    } catch (e) {
      this._onSocketClose(this._ws, { code: 1006, reason: String(e), wasClean: false });
    }
  }

  /**
   * Drops the current connection as a network failure would, and reconnects (with resume) after
   * `delay` ms, or at once. `reconnectNow()` cuts a pending wait short.
   */
  forceReconnect(delay = 0) {
    this._ownClose = false;
    this._clearTimer('reconnect');
    if (this._ws) {
      this._dropSocket(CLOSE_CLIENT_RECONNECT, 'client reconnect');
      this._ready = false;
      this._emit('close', { code: CLOSE_CLIENT_RECONNECT, reason: 'forced reconnect', wasClean: false, ownRequest: false });
    }
    this._scheduleReconnect(delay, { code: CLOSE_CLIENT_RECONNECT, reason: 'forced' });
  }

  /** Reconnects now if a reconnect is pending or the client gave up (the "retry" button). */
  reconnectNow() {
    if (this._ws) return;
    this._clearTimer('reconnect');
    if (this.state === 'error') this.attempt = 0;
    this._ownClose = false;
    this._open();
  }

  /**
   * Sends a message object (or a raw string). While not connected it is queued and sent after
   * the next successful (re)connect.
   *
   * @returns {'sent'|'queued'|'dropped'}
   * @throws {QueueFullError} with the `error` overflow policy
   */
  send(message) {
    const raw = typeof message === 'string' ? message : JSON.stringify(message);
    if (this._sessionReady()) {
      this._write(raw);
      return 'sent';
    }
    let result;
    try {
      result = this.queue.offer(raw);
    } catch (e) {
      this.stats.dropped++;
      this._emit('queueoverflow', { dropped: raw, policy: this.queue.policy });
      throw e;
    }
    if (result.dropped !== undefined) {
      this.stats.dropped++;
      this._emit('queueoverflow', { dropped: result.dropped, policy: this.queue.policy });
    }
    return result.queued ? 'queued' : 'dropped';
  }

  /** Subscribes now or on the next connect; kept across reconnects and re-sent when resume fails. */
  subscribe(channel, id) {
    this.channels.add(channel);
    if (this._sessionReady()) {
      this.serverChannels.add(channel);
      this._write(JSON.stringify(id === undefined ? { type: 'subscribe', channel } : { type: 'subscribe', channel, id }));
    }
  }

  unsubscribe(channel, id) {
    this.channels.delete(channel);
    delete this.positions[channel];
    if (this._sessionReady() && this.serverChannels.has(channel)) {
      this.serverChannels.delete(channel);
      this._write(JSON.stringify(id === undefined ? { type: 'unsubscribe', channel } : { type: 'unsubscribe', channel, id }));
    }
  }

  /** Publishes (queued while offline, like `send`). */
  publish(channel, data, id) {
    return this.send(id === undefined ? { type: 'publish', channel, data } : { type: 'publish', channel, data, id });
  }

  /** Sends an app-level ping now (only when connected: a ping from the past measures nothing). */
  ping() {
    if (!this._sessionReady()) return false;
    this._sendPing(Date.now());
    return true;
  }

  // ----- internals -----

  _resetConnectionState() {
    this._freshSession = null;
    this._authPending = false;
    this._resumePending = false;
    this._resumeFrom = 0;
    this._replayCount = 0;
    this._shutdownReconnectAfter = null;
    this._lastPingAt = 0;
    this._pingOutstandingSince = null;
    this._ready = false;
    this._unackedEvents = 0;
  }

  _sessionReady() {
    return this._ws !== null && this._ready;
  }

  _open() {
    const WS = this.options.WebSocket;
    this._resetConnectionState();
    this._setState('connecting', this.attempt > 0 ? `attempt ${this.attempt}` : 'connect');
    let ws;
    try {
      ws = this.options.protocols === undefined || this.options.protocols === '' ? new WS(this.url) : new WS(this.url, this.options.protocols);
    } catch (e) {
      this._emit('error', { error: e });
      this._afterClose({ code: 1006, reason: String(e && e.message), wasClean: false });
      return;
    }
    this._ws = ws;
    ws.onmessage = (e) => this._ws === ws && this._onMessage(e.data);
    ws.onerror = () => this._ws === ws && this._emit('error', { error: new Error('WebSocket error') });
    ws.onclose = (e) => this._onSocketClose(ws, e);
    this._setTimer('connect', this.options.connectTimeout, () => {
      if (this._ws === ws && !this._ready) this._dropSocket(CLOSE_CLIENT_RECONNECT, 'connect timeout', 1006);
    });
  }

  _onSocketClose(ws, e) {
    if (this._ws !== ws) return; // a socket we already dropped
    this._ws = null;
    this._afterClose({ code: e.code, reason: e.reason, wasClean: e.wasClean });
  }

  /** Closes the socket and carries on at once as if it had closed with `reportAs` (a dead peer may never answer). */
  _dropSocket(code, reason, reportAs) {
    const ws = this._ws;
    this._ws = null;
    try {
      ws.close(code, reason);
    } catch (e) {
      // already closing or closed: nothing more to do with it
    }
    if (reportAs !== undefined) this._afterClose({ code: reportAs, reason, wasClean: false });
    else this._stopConnectionTimers();
  }

  _afterClose({ code, reason, wasClean }) {
    this._stopConnectionTimers();
    this._ready = false;
    const ownRequest = this._ownClose;
    this._emit('close', { code, reason, wasClean, ownRequest });
    const decision = reconnectDecision({
      code,
      ownRequest,
      attempt: this.attempt,
      strategy: this.strategy,
      shutdownReconnectAfter: this._shutdownReconnectAfter,
    });
    if (code === CLOSE_TOKEN_EXPIRED && typeof this.options.getToken !== 'function') {
      // the same token would be refused again: only getToken() can bring a fresh one
      const why = 'close code 4004: the token expired and there is no getToken() to renew it';
      this._emit('giveup', { attempts: this.attempt, code, reason: why });
      this._setState('error', why);
      return;
    }
    if (decision.reconnect) {
      this.attempt = decision.nextAttempt;
      this._scheduleReconnect(decision.delay, { code, reason: decision.reason });
      return;
    }
    if (code === CLOSE_INVALID_TOKEN && typeof this.options.getToken === 'function') {
      this._retryWithAnotherToken(code);
      return;
    }
    if (decision.reason === 'own-request') {
      this._setState('disconnected', 'closed by the application');
    } else if (code === 4001) {
      this._emit('giveup', { attempts: this.attempt, code, reason: 'session taken over by a newer connection' });
      this._setState('disconnected', 'session taken over (4001)');
    } else {
      const why = decision.reason === 'max-attempts'
        ? `gave up after ${this.attempt} reconnect attempts`
        : `close code ${code}: no reconnect without a change`;
      this._emit('giveup', { attempts: this.attempt, code, reason: why });
      this._setState('error', why);
    }
  }

  /** 4003 is final unless `getToken()` now gives a token other than the one refused. */
  async _retryWithAnotherToken(code) {
    let token = null;
    try {
      token = await this.options.getToken();
    } catch (e) {
      this._emit('error', { error: e });
    }
    // another token is a change: reconnect as after a drop, with backoff and maxAttempts
    const decision = reconnectDecision({ code: 1006, attempt: this.attempt, strategy: this.strategy });
    if (token && token !== this._lastToken && !this._ownClose && decision.reconnect) {
      this.attempt = decision.nextAttempt;
      this._scheduleReconnect(decision.delay, { code, reason: 'new-token' });
      return;
    }
    const why = 'close code 4003: the token was refused';
    this._emit('giveup', { attempts: this.attempt, code, reason: why });
    this._setState('error', why);
  }

  /** The token for the next `auth`, or null: `getToken()`'s, else the `token` option. */
  async _token() {
    if (typeof this.options.getToken === 'function') return (await this.options.getToken()) || null;
    return this.options.token || null;
  }

  /**
   * Sends `auth` as the first frame of a connection; `resume` or the fresh session follow its
   * answer. A failed `getToken()` counts as a failed attempt.
   */
  async _authenticate(ws) {
    let token;
    try {
      token = await this._token();
    } catch (e) {
      this._emit('error', { error: e });
      if (this._ws === ws) this._dropSocket(CLOSE_CLIENT_RECONNECT, 'getToken failed', 1006);
      return;
    }
    if (this._ws !== ws) return;
    if (!token) {
      this._afterAuthentication();
      return;
    }
    this._authPending = true;
    this._lastToken = token;
    this._writeNow(JSON.stringify({ type: 'auth', token, id: 'auth' }));
  }

  /** A refresh before `exp`: the same `auth`, answered by `authenticated`, on the open connection. */
  async _refreshToken() {
    const ws = this._ws;
    let token;
    try {
      token = await this._token();
    } catch (e) {
      this._emit('error', { error: e });
      return;
    }
    if (!token || this._ws !== ws || !this._ready) return;
    this._lastToken = token;
    this._write(JSON.stringify({ type: 'auth', token, id: 'refresh' }));
  }

  _onAuthenticated(msg) {
    this.identity = { sub: msg.sub, expiresAt: msg.expiresAt };
    this._emit('authenticated', { sub: msg.sub, expiresAt: msg.expiresAt });
    if (typeof msg.expiresAt === 'number' && typeof this.options.getToken === 'function') {
      const delay = tokenRefreshDelay(Date.now(), msg.expiresAt, this.options.refreshBefore);
      this._setTimer('refresh', delay, () => this._refreshToken());
    }
    if (this._authPending) {
      this._authPending = false;
      this._afterAuthentication();
    }
  }

  _scheduleReconnect(delay, { code, reason }) {
    this.stats.reconnects++;
    this._setState('disconnected', `reconnecting in ${delay} ms`);
    this._emit('reconnecting', { attempt: this.attempt, delay, code, reason });
    this._setTimer('reconnect', delay, () => this._open());
  }

  _onMessage(raw) {
    this.stats.received++;
    const bytes = frameBytes(raw);
    let msg = null;
    if (typeof raw === 'string') {
      try {
        msg = JSON.parse(raw);
      } catch (e) {
        msg = null;
      }
    }
    this._emit('message', { message: msg, raw, bytes });
    if (!msg || typeof msg !== 'object') return;
    switch (msg.type) {
      case 'system':
        if (msg.event === 'connected') this._onConnected(msg);
        else if (msg.event === 'shutdown') {
          this._shutdownReconnectAfter = typeof msg.reconnectAfter === 'number' ? msg.reconnectAfter : 0;
          this._emit('shutdown', { reconnectAfter: this._shutdownReconnectAfter });
        }
        break;
      case 'event':
        this._onEvent(msg);
        break;
      case 'resumed':
        this._onResumed(msg);
        break;
      case 'resume_failed':
        this._onResumeFailed(msg);
        break;
      case 'pong':
        this._onPong(msg);
        break;
      case 'authenticated':
        this._onAuthenticated(msg);
        break;
      case 'unsubscribed':
        if (msg.reason) {
          this.channels.delete(msg.channel);
          this.serverChannels.delete(msg.channel);
          delete this.positions[msg.channel];
          this._emit('unsubscribed', { channel: msg.channel, reason: msg.reason });
        }
        break;
      case 'error':
        this._emit('error', { error: new Error(`${msg.error}: ${msg.message}`), code: msg.error, ref: msg.ref, message: msg });
        if (this._authPending && msg.ref === 'auth' && msg.error === 'auth_not_configured') {
          this._authPending = false; // a server that verifies no tokens: carry on without
          this._afterAuthentication();
        }
        break;
      default:
        break;
    }
  }

  _onConnected(msg) {
    this.clientId = msg.clientId;
    this.serverConfig = msg.config || null;
    if (msg.config && msg.config.reconnectStrategy) this.serverStrategy = msg.config.reconnectStrategy;
    this._freshSession = { sessionId: msg.sessionId, resumeToken: msg.resumeToken };
    const extensions = (this._ws && this._ws.extensions) || '';
    this._emit('open', { clientId: msg.clientId, sessionId: msg.sessionId, config: this.serverConfig, extensions });
    if (typeof msg.sub === 'string') {
      this._onAuthenticated(msg); // authenticated on the upgrade request
    }
    if ((this.options.token || this.options.getToken) && typeof msg.sub !== 'string') {
      this._authenticate(this._ws);
      return;
    }
    this._afterAuthentication();
  }

  /** Resume, or take the fresh session: right after `system/connected`, or after `authenticated`. */
  _afterAuthentication() {
    if (this.options.resume && this.session) {
      // resume must be the first frame of the connection, or the first after `auth`
      this._resumePending = true;
      this._resumeFrom = this.lastSeq;
      this._replayCount = 0;
      const resume = { type: 'resume', sessionId: this.session.sessionId, resumeToken: this.session.resumeToken, lastSeq: this.lastSeq };
      if (Object.keys(this.positions).length > 0) resume.positions = this.positions;
      this._writeNow(JSON.stringify(resume));
      return;
    }
    this._adoptFreshSession();
    this._sessionEstablished();
  }

  _adoptFreshSession() {
    this.session = this._freshSession;
    this.lastSeq = 0;
    this.ackedSeq = 0;
    this.serverChannels = new Set();
  }

  _onResumed(msg) {
    if (!this._resumePending) return;
    this._resumePending = false;
    this.session = { sessionId: msg.sessionId, resumeToken: msg.resumeToken };
    this.ackedSeq = this._resumeFrom; // the resume acknowledged everything up to our lastSeq
    this.stats.resumes++;
    const replayed = typeof msg.replayed === 'number' ? msg.replayed : this._replayCount;
    this.stats.replayed += replayed;
    if (typeof msg.lastSeq === 'number' && msg.lastSeq > this.lastSeq) {
      // the server says events up to lastSeq exist, but they did not all reach us
      this.stats.gaps++;
      this._emit('gap', { expected: this.lastSeq + 1, got: msg.lastSeq + 1 });
    }
    this._emit('resumed', { sessionId: msg.sessionId, replayed, received: this._replayCount, lastSeq: msg.lastSeq, positions: msg.positions || {} });
    this._sessionEstablished();
  }

  _onResumeFailed(msg) {
    if (!this._resumePending) return;
    this._resumePending = false;
    const lostAfterSeq = this.lastSeq;
    this.stats.resumeFailures++;
    this._adoptFreshSession();
    // data loss is never silent: the application must reload what it derives from events
    // `lostChannels`: for a gap, those whose history no longer holds what we missed
    this._emit('resumefailed', { reason: msg.reason, lostAfterSeq, channels: [...this.channels], lostChannels: msg.channels || [] });
    this._sessionEstablished();
  }

  _sessionEstablished() {
    this._clearTimer('connect'); // covers the answer to resume too
    this.attempt = 0;
    this._ready = true;
    this._shutdownReconnectAfter = null;
    this._setState('connected', 'session ready');
    // bring the server's subscriptions in line with what the application wants
    for (const channel of this.channels) {
      if (!this.serverChannels.has(channel)) {
        this.serverChannels.add(channel);
        this._write(JSON.stringify({ type: 'subscribe', channel }));
      }
    }
    for (const channel of [...this.serverChannels]) {
      if (!this.channels.has(channel)) {
        this.serverChannels.delete(channel);
        this._write(JSON.stringify({ type: 'unsubscribe', channel }));
      }
    }
    for (const raw of this.queue.drain()) this._write(raw);
    this._startConnectionTimers();
  }

  _onEvent(msg) {
    const seq = msg.seq;
    if (typeof seq !== 'number') return;
    const kind = classifySeq(this.lastSeq, seq);
    if (kind === 'duplicate') {
      this.stats.duplicates++;
      this._emit('duplicate', { seq });
      return;
    }
    if (kind === 'gap') {
      this.stats.gaps++;
      this._emit('gap', { expected: this.lastSeq + 1, got: seq });
    }
    this.lastSeq = seq;
    if (typeof msg.offset === 'number' && typeof msg.epoch === 'string') {
      this.positions[msg.channel] = { offset: msg.offset, epoch: msg.epoch };
    }
    const replayed = this._resumePending;
    if (replayed) this._replayCount++;
    this._emit('event', { channel: msg.channel, data: msg.data, seq, offset: msg.offset, epoch: msg.epoch, id: msg.id, replayed });
    if (!replayed && ++this._unackedEvents >= this.options.ackEvery) this._sendAck();
  }

  _onPong(msg) {
    this._pingOutstandingSince = null;
    if (typeof msg.timestamp === 'number') {
      const rtt = Math.max(0, Date.now() - msg.timestamp);
      this.latency = rtt;
      this._emit('latency', { rtt, serverTime: msg.serverTime });
    }
  }

  _sendPing(now) {
    this._lastPingAt = now;
    if (this._pingOutstandingSince == null) this._pingOutstandingSince = now;
    this._write(JSON.stringify({ type: 'ping', timestamp: now }));
  }

  _sendAck() {
    this._unackedEvents = 0;
    if (this._sessionReady() && this.lastSeq > this.ackedSeq) {
      this.ackedSeq = this.lastSeq;
      this._write(JSON.stringify({ type: 'ack', seq: this.lastSeq }));
    }
  }

  _startConnectionTimers() {
    const cfg = this.serverConfig || {};
    const interval = this.options.heartbeatInterval || cfg.heartbeatInterval || 25000;
    const timeout = this.options.heartbeatTimeout || cfg.heartbeatTimeout || 60000;
    this._lastPingAt = Date.now();
    const tick = Math.max(100, Math.min(1000, Math.floor(interval / 4)));
    this._setInterval('heartbeat', tick, () => {
      if (!this._sessionReady()) return;
      const now = Date.now();
      const d = heartbeatDecision({ now, lastPingAt: this._lastPingAt, pingOutstandingSince: this._pingOutstandingSince, heartbeatInterval: interval, heartbeatTimeout: timeout });
      if (d === 'ping') this._sendPing(now);
      else if (d === 'timeout') {
        this._emit('heartbeattimeout', { silentFor: now - this._pingOutstandingSince });
        this._dropSocket(CLOSE_CLIENT_RECONNECT, 'no pong within heartbeatTimeout', 1006);
      }
    });
    this._setInterval('ack', this.options.ackInterval, () => this._sendAck());
  }

  _stopConnectionTimers() {
    this._clearTimer('refresh');
    this._clearTimer('heartbeat');
    this._clearTimer('ack');
    this._clearTimer('connect');
  }

  _write(raw) {
    if (this._ws) this._writeNow(raw);
  }

  _writeNow(raw) {
    this._ws.send(raw);
    this.stats.sent++;
    let message = null;
    try {
      message = JSON.parse(raw);
    } catch (e) {
      message = null;
    }
    this._emit('send', { message, raw, bytes: frameBytes(raw) });
  }

  _setState(state, reason) {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    this._emit('statechange', { state, previous, reason });
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  _setTimer(name, ms, fn) {
    this._clearTimer(name);
    this._timers[name] = { id: setTimeout(fn, ms), interval: false };
  }

  _setInterval(name, ms, fn) {
    this._clearTimer(name);
    this._timers[name] = { id: setInterval(fn, ms), interval: true };
  }

  _clearTimer(name) {
    const t = this._timers[name];
    if (!t) return;
    if (t.interval) clearInterval(t.id);
    else clearTimeout(t.id);
    delete this._timers[name];
  }
}
