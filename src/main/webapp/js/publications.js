// @ts-check
/**
 * publications.js: the publications of one RobustWebSocket that wait for the server's `ack`.
 *
 * Every publication gets an id that is new for this client instance (a random prefix, then a
 * counter), which the server treats as an idempotency key within the session
 * (docs/protocol.md section 3): the client may send a publication again, with the same id, after
 * a resume, and the server applies it at most once. This module keeps them in the order they were
 * published until their `ack` or `error` arrives, they time out, or the client gives up; the
 * client (robust-websocket.js) decides when to send them.
 */

/** @typedef {import('./robust-websocket.js').PublishAck} PublishAck */
/** @typedef {import('./robust-websocket.js').PublishErrorCode} PublishErrorCode */

/**
 * Why a publication's Promise was rejected. `code` is the server's error code (`rate_limited`,
 * `forbidden`, `invalid_channel`, `unauthenticated`, ...) or one of the library's own:
 * `timeout`, `gave_up`, `queue_full`, `too_large`, `duplicate_id`.
 */
export class PublishError extends Error {
  /**
   * @param {PublishErrorCode} code
   * @param {string} message
   * @param {{channel: string, id: string, sent: boolean}} publication
   */
  constructor(code, message, { channel, id, sent }) {
    super(`${code}: ${message}`);
    this.name = 'PublishError';
    /** @type {PublishErrorCode} */
    this.code = code;
    this.channel = channel;
    this.id = id;
    /** the frame went out at least once: the server may have applied it (never for a server's error) */
    this.sent = sent;
  }
}

/**
 * A random prefix for publication ids: 12 base-36 characters (about 62 bits), from
 * `crypto.getRandomValues` where there is one (browsers, also on plain http; Node).
 *
 * @param {{getRandomValues<T extends Uint32Array>(array: T): T} | undefined} [random]
 * @returns {string}
 */
export function newIdPrefix(random = globalThis.crypto) {
  const words = new Uint32Array(2);
  if (random && typeof random.getRandomValues === 'function') {
    random.getRandomValues(words);
  } else {
    words[0] = Math.floor(Math.random() * 2 ** 32);
    words[1] = Math.floor(Math.random() * 2 ** 32);
  }
  const part = (/** @type {number} */ w) => w.toString(36).padStart(7, '0').slice(-6);
  return `p${part(words[0])}${part(words[1])}`;
}

/**
 * @typedef {object} Publication
 * @property {string} id
 * @property {string} channel
 * @property {string} raw the `publish` frame, sent as is every time
 * @property {boolean} sent whether the frame went out at least once
 * @property {(ack: PublishAck) => void} resolve
 * @property {(error: PublishError) => void} reject
 * @property {ReturnType<typeof setTimeout> | null} timer
 */

/** The publications not yet acknowledged, in the order they were published. */
export class Publications {
  /**
   * @param {number} limit at most this many wait for their `ack` (sent or not)
   * @param {string} [prefix] of the ids (random unless given)
   */
  constructor(limit, prefix = newIdPrefix()) {
    this.limit = Math.max(0, limit);
    this.prefix = prefix;
    this.counter = 0;
    /** @type {Map<string, Publication>} */
    this.pending = new Map();
  }

  get size() {
    return this.pending.size;
  }

  /**
   * Registers a publication. The Promise rejects at once (`queue_full`, `duplicate_id`) when it
   * cannot be kept; the returned `publication` is then null.
   *
   * @param {string} channel
   * @param {unknown} data
   * @param {{id?: string, timeout?: number}} options `timeout`: ms until it fails with
   *   `timeout` (0: never); `id`: the caller's own id instead of a generated one
   * @returns {{promise: Promise<PublishAck>, publication: Publication | null}}
   */
  add(channel, data, { id = `${this.prefix}-${++this.counter}`, timeout = 0 }) {
    if (this.pending.has(id)) {
      return { promise: Promise.reject(new PublishError('duplicate_id', `publication '${id}' is still pending`, { channel, id, sent: false })), publication: null };
    }
    if (this.pending.size >= this.limit) {
      const error = new PublishError('queue_full', `${this.limit} publications already wait for their ack`, { channel, id, sent: false });
      return { promise: Promise.reject(error), publication: null };
    }
    /** @type {Publication} */
    const publication = {
      id,
      channel,
      raw: JSON.stringify({ type: 'publish', channel, data, id }),
      sent: false,
      resolve: () => {},
      reject: () => {},
      timer: null,
    };
    /** @type {Promise<PublishAck>} */
    const promise = new Promise((resolve, reject) => {
      publication.resolve = resolve;
      publication.reject = reject;
    });
    if (timeout > 0) {
      publication.timer = setTimeout(() => this.fail(id, 'timeout', `no ack within ${timeout} ms`), timeout);
    }
    this.pending.set(id, publication);
    return { promise, publication };
  }

  /** The pending publications, oldest first. */
  list() {
    return [...this.pending.values()];
  }

  /**
   * Settles the publication an `ack` answers.
   *
   * @param {Record<string, unknown>} ack an `ack`
   *   frame (docs/protocol.md section 3: `offset` and `epoch` are always there)
   * @returns {boolean} whether it answered one of ours
   */
  acknowledge(ack) {
    const publication = typeof ack.id === 'string' ? this.pending.get(ack.id) : undefined;
    if (!publication) return false;
    this._remove(publication);
    publication.resolve({
      id: publication.id,
      channel: publication.channel,
      delivered: typeof ack.delivered === 'number' ? ack.delivered : 0,
      offset: /** @type {number} */ (ack.offset),
      epoch: /** @type {string} */ (ack.epoch),
      repeated: ack.repeated === true,
    });
    return true;
  }

  /**
   * Rejects one publication.
   *
   * @param {unknown} id
   * @param {PublishErrorCode} code
   * @param {string} message
   * @param {boolean} [sent] overrides whether the server may have applied it
   * @returns {boolean} whether it was one of ours
   */
  fail(id, code, message, sent) {
    const publication = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (!publication) return false;
    this._remove(publication);
    publication.reject(new PublishError(code, message, { channel: publication.channel, id: publication.id, sent: sent ?? publication.sent }));
    return true;
  }

  /**
   * Rejects every pending publication.
   *
   * @param {PublishErrorCode} code
   * @param {string} message
   */
  failAll(code, message) {
    for (const publication of this.list()) this.fail(publication.id, code, message);
  }

  /**
   * Rejects the publications that went out in a session that is gone (its resume failed, or none
   * was tried): the server may have applied them, and would take them as new in another session.
   *
   * @param {string} message
   */
  failSent(message) {
    for (const publication of this.list()) if (publication.sent) this.fail(publication.id, 'session_lost', message);
  }

  /** @param {Publication} publication */
  _remove(publication) {
    if (publication.timer !== null) clearTimeout(publication.timer);
    this.pending.delete(publication.id);
  }
}
