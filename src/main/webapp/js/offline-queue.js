// @ts-check
/**
 * offline-queue.js: the frames `send()` keeps while a RobustWebSocket is not connected, and the
 * UTF-8 size of a frame (what the server's `maxMessageBytes` counts). Part of robust-websocket.js,
 * which re-exports all of it; the types are in robust-websocket.d.ts.
 */

/** @typedef {import('./robust-websocket.js').OverflowPolicy} OverflowPolicy */

/** Overflow policies of the offline queue. */
export const OVERFLOW_POLICIES = /** @type {readonly OverflowPolicy[]} */ (Object.freeze(['drop-oldest', 'drop-newest', 'error']));

/** The error `send` throws when the offline queue is full and the policy is `error`. */
export class QueueFullError extends Error {
  /** @param {number} limit */
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
   * @param {OverflowPolicy} policy what to do with one more when full
   */
  constructor(limit = 100, policy = 'drop-oldest') {
    if (!OVERFLOW_POLICIES.includes(policy)) {
      throw new TypeError(`overflow policy must be one of ${OVERFLOW_POLICIES.join(', ')}`);
    }
    this.limit = Math.max(0, limit);
    this.policy = policy;
    /** @type {string[]} */
    this.items = [];
  }

  get size() {
    return this.items.length;
  }

  /**
   * @param {string} frame
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

/**
 * UTF-8 size of a frame in bytes (what the server's size limit counts).
 *
 * @param {unknown} data a string, an ArrayBuffer (view) or a Blob
 * @returns {number}
 */
export function frameBytes(data) {
  if (typeof data === 'string') return utf8.encode(data).length;
  const sized = /** @type {{byteLength?: unknown, size?: unknown} | null} */ (data);
  if (sized && typeof sized.byteLength === 'number') return sized.byteLength;
  if (sized && typeof sized.size === 'number') return sized.size;
  return 0;
}
