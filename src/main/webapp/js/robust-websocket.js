// @ts-check
/**
 * robust-websocket.js: a dependency-free browser client for the `/ws` protocol v1 of
 * robust-websocket (see docs/client.md for the guide, docs/protocol.md for the wire protocol).
 *
 * What it does for you: reconnects with exponential backoff and jitter (the server's advice from
 * `system/connected`, or yours), follows the close-code rules, honours `system/shutdown`, resumes
 * the session on every reconnect (and re-subscribes, loudly, when the server cannot resume),
 * drops duplicate events and reports gaps, acknowledges events, detects a dead server with
 * app-level pings, measures latency, and queues what you send while it is offline. Publications
 * are acknowledged (a Promise per publication) and sent again after a reconnect, with the same id.
 * It checks the connection at once when the network comes back, the page becomes visible or the
 * machine wakes up. With `protocol: 'legacy'` it speaks the old echo protocol of `/ws-legacy`
 * instead: the same reconnects, heartbeat and wake-up checks, no sessions or channels.
 *
 * The decisions (backoff delay, reconnect or not, heartbeat, wake-up) are pure functions in
 * decisions.js and wake.js, exported here too and unit tested with Node's test runner in
 * src/test/js/. The types are in robust-websocket.d.ts beside this file, which the build checks
 * this file against.
 */

import { backoffDelay, classifySeq, closeCodeRule, DEFAULT_STRATEGY, heartbeatDecision, mergeStrategy, reconnectDecision, tokenRefreshDelay } from './decisions.js';
import { frameBytes, OfflineQueue, OVERFLOW_POLICIES, QueueFullError } from './offline-queue.js';
import { Publications, PublishError } from './publications.js';
import { browserEnvironment, EnvironmentWatch, sleepGap, wakeDecision } from './wake.js';

export { backoffDelay, classifySeq, closeCodeRule, DEFAULT_STRATEGY, heartbeatDecision, mergeStrategy, reconnectDecision, tokenRefreshDelay };
export { browserEnvironment, frameBytes, OfflineQueue, OVERFLOW_POLICIES, PublishError, QueueFullError, sleepGap, wakeDecision };

/** @typedef {import('./robust-websocket.js').State} State */
/** @typedef {import('./robust-websocket.js').ReconnectStrategy} ReconnectStrategy */
/** @typedef {import('./robust-websocket.js').ServerConfig} ServerConfig */
/** @typedef {import('./robust-websocket.js').Position} Position */
/** @typedef {import('./robust-websocket.js').Session} Session */
/** @typedef {import('./robust-websocket.js').RobustWebSocketOptions} RobustWebSocketOptions */
/** @typedef {import('./robust-websocket.js').RobustWebSocketEventMap} RobustWebSocketEventMap */
/** @typedef {import('./robust-websocket.js').PublishAck} PublishAck */
/** @typedef {import('./robust-websocket.js').PublishOptions} PublishOptions */
/** @typedef {import('./robust-websocket.js').WakeTrigger} WakeTrigger */
/** @typedef {import('./robust-websocket.js').ConnectionPhase} ConnectionPhase */
/** @typedef {{type: string, [field: string]: any}} Message a parsed frame */

/** The five states of a RobustWebSocket, in the order a connection usually goes through them. */
export const STATES = /** @type {readonly State[]} */ (Object.freeze(['connecting', 'connected', 'disconnecting', 'disconnected', 'error']));

/** Close code the library uses when it closes a socket to reconnect (its own request: no 1000). */
export const CLOSE_CLIENT_RECONNECT = 4100;

/** Close codes of authentication (docs/security.md). */
export const CLOSE_INVALID_TOKEN = 4003;
export const CLOSE_TOKEN_EXPIRED = 4004;
export const CLOSE_AUTH_TIMEOUT = 4005;
export const CLOSE_TOO_MANY_USER_CONNECTIONS = 4009;

/**
 * @typedef {Required<Pick<RobustWebSocketOptions, 'reconnect'|'resume'|'queueLimit'|'overflow'|'ackEvery'|'ackInterval'|'connectTimeout'|'refreshBefore'|'publishTimeout'|'maxPendingPublications'|'wakeTimeout'|'sleepGap'|'WebSocket'>>
 *   & RobustWebSocketOptions} Options the options with their defaults
 */
/** @typedef {import('./publications.js').Publication} Publication */
/** @typedef {{id: ReturnType<typeof setTimeout>, interval: boolean}} Timer */

/**
 * A WebSocket to a robust-websocket `/ws` endpoint that stays connected (or to `/ws-legacy`,
 * with `protocol: 'legacy'`: then the session is ready when the socket opens, `open` has no ids,
 * and `subscribe`, `unsubscribe` and `publish` refuse).
 *
 * Events (all `CustomEvent`s; the payload is in `event.detail`; their types are in
 * robust-websocket.d.ts, `RobustWebSocketEventMap`):
 * - `statechange` {state, previous, reason}: one of STATES
 * - `open` {clientId, sessionId, config, extensions}: `system/connected` arrived
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
 * - `wakeup` {trigger, action, gap}: the network came back, the page became visible or the
 *   machine woke up: the connection is checked with a ping, or a reconnect wait is cut short
 * - `paused` {reason}: offline; the reconnect waits for `online`
 */
export class RobustWebSocket extends EventTarget {
  /**
   * @param {string} url e.g. `new URL('/ws', location.href).href.replace(/^http/, 'ws')`
   * @param {RobustWebSocketOptions} [options] every option with its default is in docs/client.md
   *   and robust-websocket.d.ts
   */
  constructor(url, options = {}) {
    super();
    this.url = url;
    /** @type {Options} */
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
      publishTimeout: 30000,
      maxPendingPublications: 200,
      wakeTimeout: 3000,
      sleepGap: 5000,
      WebSocket: globalThis.WebSocket,
      protocol: 'v1',
      ...options,
    };
    /** `/ws-legacy` (docs/protocol.md section 12): no sessions, channels or auth; ready on open */
    this._legacy = this.options.protocol === 'legacy';
    /** network and visibility signals (the browser's unless given; null: none), watched while it runs */
    this._wake = new EnvironmentWatch(options.environment === undefined ? browserEnvironment() : options.environment, (trigger) => this._onWake(trigger));
    this.queue = new OfflineQueue(this.options.queueLimit, this.options.overflow);
    /** publications waiting for their `ack`, sent again after a resume (rejected when the session is lost) */
    this.publications = new Publications(this.options.maxPendingPublications);
    /** @type {State} */
    this.state = 'disconnected';
    /** @type {Partial<ReconnectStrategy>} */
    this.serverStrategy = {};
    /** @type {ServerConfig|null} */
    this.serverConfig = null;
    this.attempt = 0;
    /** @type {string|null} */
    this.clientId = null;
    /** @type {Session|null} the session this client is in */
    this.session = null;
    this.lastSeq = 0;
    this.ackedSeq = 0;
    /**
     * per channel, the last event processed: {offset, epoch} of the channel's stream. Sent with
     * `resume`, so the server can resume from them where its session record does not reach.
     * @type {Record<string, Position>}
     */
    this.positions = {};
    /** channels the application wants, and those the server's session holds (as far as we know) */
    /** @type {Set<string>} */
    this.channels = new Set();
    /** @type {Set<string>} */
    this.serverChannels = new Set();
    /** @type {number|null} */
    this.latency = null;
    /** @type {{sub: string, expiresAt: number}|null} who the server says this client is, from `authenticated` */
    this.identity = null;
    /** @type {string|null} */
    this._lastToken = null;
    this.stats = { reconnects: 0, sent: 0, received: 0, resumes: 0, resumeFailures: 0, replayed: 0, gaps: 0, duplicates: 0, dropped: 0 };
    /** @type {WebSocket|null} */
    this._ws = null;
    this._ownClose = false;
    /** the client stopped for good (disconnect(), giveup): publish() fails at once */
    this._stopped = false;
    /** offline: the reconnect waits for `online` */
    this._paused = false;
    /** @type {Record<string, Timer>} */
    this._timers = {};
    /** @type {Session|null} */
    this._freshSession = null;
    /** @type {number|null} */
    this._shutdownReconnectAfter = null;
    /** @type {number|null} */
    this._pingOutstandingSince = null;
    this._authPending = false;
    this._resumePending = false;
    this._resumeFrom = 0;
    this._replayCount = 0;
    this._lastPingAt = 0;
    this._lastTickAt = 0;
    this._ready = false;
    this._unackedEvents = 0;
    /** @type {number[]} when the unanswered pings went out (a legacy `pong` carries no timestamp of ours) */
    this._pingsSent = [];
    this._resetConnectionState();
  }

  /** The reconnect strategy in force: defaults, then the server's advice, then the caller's. */
  get strategy() {
    return mergeStrategy(DEFAULT_STRATEGY, this.serverStrategy, this.options.reconnect);
  }

  /** Publications that wait for their `ack`: sent, or kept until the session is established. */
  get pendingPublications() {
    return this.publications.size;
  }

  /**
   * Changes the caller's strategy overrides (used from the next reconnect on).
   *
   * @param {Partial<ReconnectStrategy>} overrides
   */
  setReconnectStrategy(overrides) {
    this.options.reconnect = { ...overrides };
  }

  /** Opens the connection (and keeps it open). Harmless when already connecting or connected. */
  connect() {
    if (this._ws) return;
    this._ownClose = false;
    this._stopped = false;
    this._clearTimer('reconnect');
    this._open();
  }

  /**
   * Closes with 1000; no reconnect. The session stays resumable on the server for its grace
   * period. Publications still waiting for their `ack` fail with `gave_up` once it is closed.
   *
   * @param {string} [reason]
   */
  disconnect(reason = 'client disconnect') {
    this._ownClose = true;
    this._stopped = true;
    this._clearTimer('reconnect');
    if (!this._ws) {
      this._stop('disconnected', reason);
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
   *
   * @param {number} [delay]
   */
  forceReconnect(delay = 0) {
    this._ownClose = false;
    this._stopped = false;
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
    this._stopped = false;
    this._open();
  }

  /**
   * Sends a message object (or a raw string). While not connected it is queued and sent after
   * the next successful (re)connect.
   *
   * @param {string|{type: string, [field: string]: unknown}} message
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

  /**
   * Subscribes now or on the next connect; kept across reconnects and re-sent when resume fails.
   *
   * @param {string} channel
   * @param {string} [id] echoed in `subscribed`
   */
  subscribe(channel, id) {
    this._needChannels();
    this.channels.add(channel);
    if (this._sessionReady()) {
      this.serverChannels.add(channel);
      this._write(JSON.stringify(id === undefined ? { type: 'subscribe', channel } : { type: 'subscribe', channel, id }));
    }
  }

  /**
   * @param {string} channel
   * @param {string} [id] echoed in `unsubscribed`
   */
  unsubscribe(channel, id) {
    this._needChannels();
    this.channels.delete(channel);
    delete this.positions[channel];
    if (this._sessionReady() && this.serverChannels.has(channel)) {
      this.serverChannels.delete(channel);
      this._write(JSON.stringify(id === undefined ? { type: 'unsubscribe', channel } : { type: 'unsubscribe', channel, id }));
    }
  }

  /**
   * Publishes `data` on `channel`: now when the session is established, else once it is. The
   * publication gets an id that is new for this client; until its `ack` arrives it is sent again,
   * with that id, after every reconnect, and the server applies it once within a session.
   *
   * @param {string} channel
   * @param {unknown} data any JSON value
   * @param {PublishOptions|string} [options] `{id, timeout}`; a string is taken as the `id`
   * @returns {Promise<PublishAck>} the server's `ack`; rejects with a PublishError
   */
  publish(channel, data, options = {}) {
    const { id, timeout = this.options.publishTimeout } = typeof options === 'string' ? { id: options } : options;
    if (this._legacy) {
      return Promise.reject(new PublishError('unsupported', '/ws-legacy has no channels to publish on', { channel, id: id ?? '', sent: false }));
    }
    if (this._stopped) {
      const why = 'the client has stopped (disconnect() or giveup); connect() again first';
      return Promise.reject(new PublishError('gave_up', why, { channel, id: id ?? '', sent: false }));
    }
    const { promise, publication } = this.publications.add(channel, data, id === undefined ? { timeout } : { id, timeout });
    if (publication && this._sessionReady()) this._sendPublication(publication);
    return promise;
  }

  /**
   * Sends an app-level ping now (only when connected: a ping from the past measures nothing).
   *
   * @returns {boolean} whether it was sent
   */
  ping() {
    if (!this._sessionReady()) return false;
    this._sendPing(Date.now());
    return true;
  }

  // ----- internals -----

  _needChannels() {
    if (this._legacy) throw new TypeError('/ws-legacy has no channels: subscribe and unsubscribe need protocol v1');
  }

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
    this._pingsSent = [];
  }

  _sessionReady() {
    return this._ws !== null && this._ready;
  }

  _open() {
    const WS = this.options.WebSocket;
    this._resetConnectionState();
    this._paused = false;
    this._wake.start();
    this._setState('connecting', this.attempt > 0 ? `attempt ${this.attempt}` : 'connect');
    /** @type {WebSocket} */
    let ws;
    try {
      ws = this.options.protocols === undefined || this.options.protocols === '' ? new WS(this.url) : new WS(this.url, this.options.protocols);
    } catch (e) {
      this._emit('error', { error: e });
      this._afterClose({ code: 1006, reason: String(e instanceof Error ? e.message : e), wasClean: false });
      return;
    }
    this._ws = ws;
    ws.onmessage = (e) => this._ws === ws && this._onMessage(e.data);
    ws.onerror = () => this._ws === ws && this._emit('error', { error: new Error('WebSocket error') });
    ws.onclose = (e) => this._onSocketClose(ws, e);
    // a legacy server sends nothing first: the open socket is all there is to the session
    if (this._legacy) ws.onopen = () => this._ws === ws && this._onLegacyOpen(ws);
    this._setTimer('connect', this.options.connectTimeout, () => {
      if (this._ws === ws && !this._ready) this._dropSocket(CLOSE_CLIENT_RECONNECT, 'connect timeout', 1006);
    });
  }

  /**
   * @param {WebSocket} ws
   * @param {{code: number, reason: string, wasClean: boolean}} e
   */
  _onSocketClose(ws, e) {
    if (this._ws !== ws) return; // a socket we already dropped
    this._ws = null;
    this._afterClose({ code: e.code, reason: e.reason, wasClean: e.wasClean });
  }

  /**
   * Closes the socket and carries on at once as if it had closed with `reportAs` (a dead peer may
   * never answer).
   *
   * @param {number} code sent in the close frame
   * @param {string} reason
   * @param {number} [reportAs] handle the close as this code (none: no reconnect decision here)
   * @param {boolean} [immediate] reconnect without the backoff delay (a failed wake-up check)
   */
  _dropSocket(code, reason, reportAs, immediate = false) {
    const ws = this._ws;
    this._ws = null;
    try {
      if (ws) ws.close(code, reason);
    } catch (e) {
      // already closing or closed: nothing more to do with it
    }
    if (reportAs !== undefined) this._afterClose({ code: reportAs, reason, wasClean: false, immediate });
    else this._stopConnectionTimers();
  }

  /** @param {{code: number, reason: string, wasClean: boolean, immediate?: boolean}} close */
  _afterClose({ code, reason, wasClean, immediate = false }) {
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
      this._stop('error', why, { attempts: this.attempt, code, reason: why });
      return;
    }
    if (decision.reconnect) {
      this.attempt = decision.nextAttempt;
      this._scheduleReconnect(immediate && decision.reason === 'backoff' ? 0 : decision.delay, { code, reason: decision.reason });
      return;
    }
    if (code === CLOSE_INVALID_TOKEN && typeof this.options.getToken === 'function') {
      this._retryWithAnotherToken(code);
      return;
    }
    if (decision.reason === 'own-request') {
      this._stop('disconnected', 'closed by the application');
    } else if (code === 4001) {
      this._stop('disconnected', 'session taken over (4001)', { attempts: this.attempt, code, reason: 'session taken over by a newer connection' });
    } else {
      const why = decision.reason === 'max-attempts'
        ? `gave up after ${this.attempt} reconnect attempts`
        : `close code ${code}: no reconnect without a change`;
      this._stop('error', why, { attempts: this.attempt, code, reason: why });
    }
  }

  /**
   * The client stops until `connect()` or `reconnectNow()`: the state changes (after `giveup`,
   * if given), and the publications still waiting for their `ack` fail with `gave_up`.
   *
   * @param {State} state
   * @param {string} reason
   * @param {RobustWebSocketEventMap['giveup']} [giveup]
   */
  _stop(state, reason, giveup) {
    this._stopped = true;
    this._paused = false;
    this._wake.stop();
    if (giveup) this._emit('giveup', giveup);
    this._setState(state, reason);
    this.publications.failAll('gave_up', reason);
  }

  /**
   * 4003 is final unless `getToken()` now gives a token other than the one refused.
   *
   * @param {number} code
   */
  async _retryWithAnotherToken(code) {
    let token = null;
    try {
      token = await this._token();
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
    this._stop('error', why, { attempts: this.attempt, code, reason: why });
  }

  /**
   * The token for the next `auth`, or null: `getToken()`'s, else the `token` option.
   *
   * @returns {Promise<string|null>}
   */
  async _token() {
    if (typeof this.options.getToken === 'function') return (await this.options.getToken()) || null;
    return this.options.token || null;
  }

  /**
   * Sends `auth` as the first frame of a connection; `resume` or the fresh session follow its
   * answer. A failed `getToken()` counts as a failed attempt.
   *
   * @param {WebSocket|null} ws
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

  /** @param {Message} msg `authenticated`, or `system/connected` with `sub` */
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

  /**
   * Waits `delay` ms, then opens a new connection; while the environment says it is offline the
   * wait is paused until `online` instead.
   *
   * @param {number} delay
   * @param {{code: number, reason: string}} cause
   */
  _scheduleReconnect(delay, { code, reason }) {
    this.stats.reconnects++;
    if (!this._wake.online) {
      this._pause();
      return;
    }
    this._setState('disconnected', `reconnecting in ${delay} ms`);
    this._emit('reconnecting', { attempt: this.attempt, delay, code, reason });
    this._setTimer('reconnect', delay, () => this._open());
  }

  _pause() {
    this._clearTimer('reconnect');
    this._paused = true;
    this._setState('disconnected', 'offline: the reconnect waits for the network');
    this._emit('paused', { reason: 'offline' });
  }

  // ----- awake after sleep: network, visibility, timer gaps -----

  /** @returns {ConnectionPhase} */
  _phase() {
    if (this._sessionReady()) return 'ready';
    if (this._paused) return 'paused';
    if (this._timers.reconnect) return 'waiting';
    return 'other';
  }

  /**
   * @param {WakeTrigger|'offline'} trigger
   * @param {number} [gap] for `sleep`: how late the timer fired
   */
  _onWake(trigger, gap = 0) {
    const action = wakeDecision(trigger, this._phase());
    if (action === 'pause') {
      this._pause();
    } else if (action === 'reconnect' && trigger !== 'offline') {
      this._emit('wakeup', { trigger, action, gap });
      this._clearTimer('reconnect');
      this._open();
    } else if (action === 'check' && trigger !== 'offline') {
      this._emit('wakeup', { trigger, action, gap });
      this._checkNow();
    }
  }

  /**
   * A ping with `wakeTimeout` to answer it: no `pong` in time and the socket is dropped (4100)
   * and reconnected at once, without a backoff delay. A ping sent before a sleep proves nothing
   * either way, so the deadline starts now.
   */
  _checkNow() {
    if (this._timers.wake) return; // a check is under way
    const ws = this._ws;
    this._pingOutstandingSince = null;
    this._sendPing(Date.now());
    const timeout = this.options.wakeTimeout;
    this._setTimer('wake', timeout, () => {
      if (this._ws !== ws || this._pingOutstandingSince === null) return;
      this._dropSocket(CLOSE_CLIENT_RECONNECT, `no pong within wakeTimeout (${timeout} ms)`, 1006, true);
    });
  }

  // ----- frames received -----

  /** @param {unknown} raw */
  _onMessage(raw) {
    this.stats.received++;
    const bytes = frameBytes(raw);
    /** @type {Message|null} */
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
    if (this._legacy) {
      if (msg.type === 'pong') this._onPong(msg); // everything else is an echo or a heartbeat
      return;
    }
    switch (msg.type) {
      case 'system':
        if (msg.event === 'connected') this._onConnected(msg);
        else if (msg.event === 'shutdown') {
          this._shutdownReconnectAfter = typeof msg.reconnectAfter === 'number' ? msg.reconnectAfter : 0;
          this._emit('shutdown', { reconnectAfter: this._shutdownReconnectAfter ?? 0 });
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
      case 'ack':
        this.publications.acknowledge(msg);
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
        // the server dropped the publication: it was not applied
        this.publications.fail(msg.ref, msg.error, msg.message || msg.error, false);
        if (this._authPending && msg.ref === 'auth' && msg.error === 'auth_not_configured') {
          this._authPending = false; // a server that verifies no tokens: carry on without
          this._afterAuthentication();
        }
        break;
      default:
        break;
    }
  }

  /** @param {WebSocket} ws a `/ws-legacy` socket that just opened */
  _onLegacyOpen(ws) {
    this._emit('open', { clientId: null, sessionId: null, config: null, extensions: ws.extensions || '' });
    this._sessionEstablished();
  }

  /** @param {Message} msg */
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
      /** @type {Message} */
      const resume = { type: 'resume', sessionId: this.session.sessionId, resumeToken: this.session.resumeToken, lastSeq: this.lastSeq };
      if (Object.keys(this.positions).length > 0) resume.positions = this.positions;
      this._writeNow(JSON.stringify(resume));
      return;
    }
    this._adoptFreshSession();
    this._sessionEstablished();
  }

  _adoptFreshSession() {
    // at most once: a publication of the session that is gone would be new to this one
    this.publications.failSent('the session could not be resumed: the server may have applied it, and would apply it again in a new session');
    this.session = this._freshSession;
    this.lastSeq = 0;
    this.ackedSeq = 0;
    this.serverChannels = new Set();
  }

  /** @param {Message} msg */
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

  /** @param {Message} msg */
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

  /**
   * The session is usable: subscriptions are brought in line, then the publications still
   * waiting for their `ack` are sent (again, with their ids), then the offline queue.
   */
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
    for (const publication of this.publications.list()) this._sendPublication(publication);
    for (const raw of this.queue.drain()) this._write(raw);
    this._startConnectionTimers();
  }

  /**
   * Sends a publication, unless it is larger than the server's `maxMessageBytes` (which would
   * close the connection with 1009, for good): then it fails with `too_large`.
   *
   * @param {Publication} publication
   */
  _sendPublication(publication) {
    const max = this.serverConfig ? this.serverConfig.maxMessageBytes : undefined;
    if (typeof max === 'number' && frameBytes(publication.raw) > max) {
      this.publications.fail(publication.id, 'too_large', `the publish frame is larger than maxMessageBytes (${max} bytes)`);
      return;
    }
    publication.sent = true;
    this._write(publication.raw);
  }

  /** @param {Message} msg */
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

  /** @param {Message} msg */
  _onPong(msg) {
    this._pingOutstandingSince = null;
    this._clearTimer('wake');
    // a v1 pong echoes the ping's timestamp; a legacy one carries the server's time instead
    const sentAt = this._legacy ? this._pingsSent.shift() : msg.timestamp;
    if (typeof sentAt === 'number') {
      const rtt = Math.max(0, Date.now() - sentAt);
      this.latency = rtt;
      this._emit('latency', { rtt, serverTime: this._legacy ? msg.timestamp : msg.serverTime });
    }
  }

  // ----- frames sent, timers -----

  /** @param {number} now */
  _sendPing(now) {
    this._lastPingAt = now;
    if (this._pingOutstandingSince == null) this._pingOutstandingSince = now;
    if (this._legacy && this._pingsSent.push(now) > 100) this._pingsSent.shift();
    this._write(JSON.stringify({ type: 'ping', timestamp: now }));
  }

  _sendAck() {
    this._unackedEvents = 0;
    if (this._sessionReady() && this.lastSeq > this.ackedSeq) {
      this.ackedSeq = this.lastSeq;
      this._write(JSON.stringify({ type: 'ack', seq: this.lastSeq }));
    }
  }

  /**
   * The heartbeat tick (every second for the default 25 s interval) pings when it is time, drops
   * a connection whose pong is overdue, and notices a sleep: a tick more than `sleepGap` ms late.
   */
  _startConnectionTimers() {
    const cfg = this.serverConfig;
    const interval = this.options.heartbeatInterval || (cfg && cfg.heartbeatInterval) || 25000;
    const timeout = this.options.heartbeatTimeout || (cfg && cfg.heartbeatTimeout) || 60000;
    this._lastPingAt = Date.now();
    this._lastTickAt = this._lastPingAt;
    const tick = Math.max(100, Math.min(1000, Math.floor(interval / 4)));
    this._setInterval('heartbeat', tick, () => {
      if (!this._sessionReady()) return;
      const now = Date.now();
      const gap = sleepGap(this._lastTickAt, now, tick);
      this._lastTickAt = now;
      if (gap >= this.options.sleepGap) {
        this._onWake('sleep', gap);
        return;
      }
      const d = heartbeatDecision({ now, lastPingAt: this._lastPingAt, pingOutstandingSince: this._pingOutstandingSince, heartbeatInterval: interval, heartbeatTimeout: timeout });
      if (d === 'ping') this._sendPing(now);
      else if (d === 'timeout') {
        this._emit('heartbeattimeout', { silentFor: now - (this._pingOutstandingSince ?? now) });
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
    this._clearTimer('wake');
  }

  /** @param {string} raw */
  _write(raw) {
    if (this._ws) this._writeNow(raw);
  }

  /** @param {string} raw */
  _writeNow(raw) {
    if (!this._ws) return;
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

  /**
   * @param {State} state
   * @param {string} reason
   */
  _setState(state, reason) {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    this._emit('statechange', { state, previous, reason });
  }

  /**
   * @template {keyof RobustWebSocketEventMap} K
   * @param {K} type
   * @param {RobustWebSocketEventMap[K]} detail
   */
  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /**
   * @param {string} name
   * @param {number} ms
   * @param {() => void} fn
   */
  _setTimer(name, ms, fn) {
    this._clearTimer(name);
    this._timers[name] = { id: setTimeout(fn, ms), interval: false };
  }

  /**
   * @param {string} name
   * @param {number} ms
   * @param {() => void} fn
   */
  _setInterval(name, ms, fn) {
    this._clearTimer(name);
    this._timers[name] = { id: setInterval(fn, ms), interval: true };
  }

  /** @param {string} name */
  _clearTimer(name) {
    const t = this._timers[name];
    if (!t) return;
    if (t.interval) clearInterval(t.id);
    else clearTimeout(t.id);
    delete this._timers[name];
  }
}
