// @ts-check
/**
 * wake.js: awake after sleep (docs/client.md). The pure decision what to do when the network
 * comes back, the page becomes visible or a timer fires late, and the browser's signals as an
 * Environment. Part of robust-websocket.js, which re-exports it; the types are in
 * robust-websocket.d.ts.
 */

/** @typedef {import('./robust-websocket.js').WakeTrigger} WakeTrigger */
/** @typedef {import('./robust-websocket.js').ConnectionPhase} ConnectionPhase */
/** @typedef {import('./robust-websocket.js').Environment} Environment */
/** @typedef {'online'|'offline'|'visibilitychange'} EnvironmentSignal */

/**
 * What to do when the page may have slept or lost its network (docs/client.md, "Awake after
 * sleep"). A pure function of what happened and what the connection is doing.
 *
 * @param {WakeTrigger|'offline'} trigger `online`, `visible` (the page became visible), `sleep`
 *   (a timer fired late: the machine slept) or `offline`
 * @param {ConnectionPhase} phase `ready`: the session is established; `waiting`: a reconnect is
 *   scheduled; `paused`: a reconnect waits for the network; `other`: connecting, stopped, ...
 * @returns {'check'|'reconnect'|'pause'|'none'} `check`: ping now with a short deadline;
 *   `reconnect`: reconnect now, without waiting out the delay; `pause`: stop the reconnect timer
 *   until `online`
 */
export function wakeDecision(trigger, phase) {
  if (trigger === 'offline') return phase === 'waiting' ? 'pause' : 'none';
  if (phase === 'ready') return 'check';
  if (trigger === 'online' && (phase === 'waiting' || phase === 'paused')) return 'reconnect';
  return 'none';
}

/**
 * How late a periodic timer fired: more than a few seconds means the machine slept (or the
 * browser held back the page's timers), and the connection may be dead without a close event.
 *
 * @param {number} lastTickAt Date.now() at the previous tick
 * @param {number} now Date.now() at this tick
 * @param {number} tick the timer's period in ms
 * @returns {number} ms later than expected (0 when on time)
 */
export function sleepGap(lastTickAt, now, tick) {
  return Math.max(0, now - lastTickAt - tick);
}

/**
 * The browser's network and visibility signals as an Environment: `online`/`offline` on the
 * window, `visibilitychange` on its document. Null where there is no such global (Node).
 *
 * @param {any} [global] the window (globalThis unless given)
 * @returns {Environment|null}
 */
export function browserEnvironment(global = globalThis) {
  if (!global || typeof global.addEventListener !== 'function' || !global.document) return null;
  const doc = global.document;
  /** @param {string} type */
  const targetOf = (type) => (type === 'visibilitychange' ? doc : global);
  return {
    get online() {
      return !global.navigator || global.navigator.onLine !== false;
    },
    get visible() {
      return doc.visibilityState !== 'hidden';
    },
    addEventListener: (type, listener) => targetOf(type).addEventListener(type, listener),
    removeEventListener: (type, listener) => targetOf(type).removeEventListener(type, listener),
  };
}

/**
 * The listeners a client keeps on its Environment while it runs: `online`, `offline`, and
 * `visibilitychange` to visible, each handed to `onSignal` as a wake trigger.
 */
export class EnvironmentWatch {
  /**
   * @param {Environment|null} environment
   * @param {(trigger: WakeTrigger|'offline') => void} onSignal
   */
  constructor(environment, onSignal) {
    this.environment = environment;
    /** @type {Array<[EnvironmentSignal, () => void]>} */
    this.listeners = [
      ['online', () => onSignal('online')],
      ['offline', () => onSignal('offline')],
      ['visibilitychange', () => environment && environment.visible && onSignal('visible')],
    ];
    this.watching = false;
  }

  /** false when the environment knows it is offline; true where there is no environment */
  get online() {
    return !this.environment || this.environment.online !== false;
  }

  start() {
    if (!this.environment || this.watching) return;
    this.watching = true;
    for (const [type, listener] of this.listeners) this.environment.addEventListener(type, listener);
  }

  stop() {
    if (!this.environment || !this.watching) return;
    this.watching = false;
    for (const [type, listener] of this.listeners) this.environment.removeEventListener(type, listener);
  }
}
