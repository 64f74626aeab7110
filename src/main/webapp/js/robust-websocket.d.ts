// Types of robust-websocket.js, written by hand (docs/client.md). The build keeps them true:
// tsc --strict compiles src/test/ts/usage.ts against them, checks the library (// @ts-check)
// against them, and a unit test compares their exports with the library's.

/** The five states of a RobustWebSocket. */
export type State = 'connecting' | 'connected' | 'disconnecting' | 'disconnected' | 'error';
export declare const STATES: readonly State[];

export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'error';
export declare const OVERFLOW_POLICIES: readonly OverflowPolicy[];

/** Backoff advice of `system/connected` (docs/protocol.md section 13). */
export interface ReconnectStrategy {
  initialDelay: number;
  maxDelay: number;
  multiplier: number;
  jitter: number;
  maxAttempts: number;
}
export declare const DEFAULT_STRATEGY: Readonly<ReconnectStrategy>;

/** Close code the library uses when it drops a socket itself (connect timeout, no pong). */
export declare const CLOSE_CLIENT_RECONNECT: 4100;
export declare const CLOSE_INVALID_TOKEN: 4003;
export declare const CLOSE_TOKEN_EXPIRED: 4004;
export declare const CLOSE_AUTH_TIMEOUT: 4005;
export declare const CLOSE_TOO_MANY_USER_CONNECTIONS: 4009;

/** `config` of `system/connected`. */
export interface ServerConfig {
  heartbeatInterval: number;
  heartbeatTimeout: number;
  maxMessageBytes: number;
  reconnectStrategy: ReconnectStrategy;
}

/** Where a channel's last processed event stands in the channel's stream. */
export interface Position {
  offset: number;
  epoch: string;
}

export interface Session {
  sessionId: string;
  resumeToken: string;
}

/**
 * The page's signals of network and visibility. The default is the browser's (`window`'s
 * `online`/`offline`, `document`'s `visibilitychange`); tests and other hosts pass their own.
 */
export interface Environment {
  /** false when the host knows it is offline (`navigator.onLine`) */
  readonly online: boolean;
  /** false while the page is hidden (`document.visibilityState`) */
  readonly visible: boolean;
  addEventListener(type: 'online' | 'offline' | 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'online' | 'offline' | 'visibilitychange', listener: () => void): void;
}

export interface RobustWebSocketOptions {
  /** subprotocol(s) for the handshake, e.g. `robust-ws.v1` */
  protocols?: string | string[];
  /** strategy fields that override the server's advice */
  reconnect?: Partial<ReconnectStrategy>;
  /** resume the session on reconnect (default true) */
  resume?: boolean;
  /** frames `send` keeps while offline (default 100) */
  queueLimit?: number;
  overflow?: OverflowPolicy;
  /** send `ack` after this many events (default 100)... */
  ackEvery?: number;
  /** ...or after this many ms (default 5000) */
  ackInterval?: number;
  heartbeatInterval?: number;
  heartbeatTimeout?: number;
  /** ms to wait for `system/connected` (default 15000) */
  connectTimeout?: number;
  /** a JWT sent with `auth` first on every connection */
  token?: string;
  /** asked for a token before every connection and refresh (wins over `token`) */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** ms before the token's `exp` to refresh it (default 30000) */
  refreshBefore?: number;
  /** ms until a publication's Promise rejects with `timeout` (default 30000; 0: never) */
  publishTimeout?: number;
  /** publications that may wait for their ack, sent or not (default 200) */
  maxPendingPublications?: number;
  /** ms a wake-up check waits for its `pong` (default 3000) */
  wakeTimeout?: number;
  /** a timer this many ms late means the machine slept (default 5000) */
  sleepGap?: number;
  /** network and visibility signals; null: none (default: the browser's, where there is one) */
  environment?: Environment | null;
  /** the WebSocket class (default `globalThis.WebSocket`; tests pass a fake) */
  WebSocket?: typeof WebSocket;
  /**
   * `v1` (default) for `/ws`; `legacy` for `/ws-legacy`'s echo protocol: ready when the socket
   * opens, no sessions, resume, auth or channels (`subscribe` throws, `publish` rejects with
   * `unsupported`); reconnects, heartbeat and wake-up checks as for `v1`
   */
  protocol?: 'v1' | 'legacy';
}

/** The server's `ack` of a publication. */
export interface PublishAck {
  /** the publication's id (its idempotency key within the session) */
  id: string;
  channel: string;
  /** connected sessions the event was given to (0 when `repeated`) */
  delivered: number;
  /** the event's place in the channel's stream */
  offset: number;
  epoch: string;
  /** the server had applied it already: this answers a publication sent again */
  repeated: boolean;
}

/** The server's codes a publication may get, then the library's own. */
export type ServerPublishErrorCode = 'rate_limited' | 'forbidden' | 'invalid_channel' | 'unauthenticated' | 'invalid_format' | 'internal';
export type ClientPublishErrorCode = 'timeout' | 'gave_up' | 'queue_full' | 'too_large' | 'duplicate_id' | 'unsupported' | 'session_lost';
export type PublishErrorCode = ServerPublishErrorCode | ClientPublishErrorCode | (string & {});

export interface PublishOptions {
  /** your own id instead of a generated one: it must be new for every publication of the session */
  id?: string;
  /** overrides `publishTimeout` for this publication */
  timeout?: number;
}

export declare class PublishError extends Error {
  constructor(code: PublishErrorCode, message: string, publication: { channel: string; id: string; sent: boolean });
  readonly name: 'PublishError' | string;
  readonly code: PublishErrorCode;
  readonly channel: string;
  readonly id: string;
  /** the frame went out at least once, so the server may have applied it */
  readonly sent: boolean;
}

export declare class QueueFullError extends Error {
  constructor(limit: number);
  readonly limit: number;
}

export declare class OfflineQueue {
  constructor(limit?: number, policy?: OverflowPolicy);
  readonly limit: number;
  readonly policy: OverflowPolicy;
  readonly size: number;
  offer(frame: string): { queued: boolean; dropped: string | undefined };
  drain(): string[];
}

/** A message the server sent (`/ws`), parsed; unknown fields are kept. */
export interface ServerMessage {
  type: string;
  [field: string]: unknown;
}

export interface StateChangeDetail { state: State; previous: State; reason: string }
/** `clientId` and `sessionId` are null on `/ws-legacy` (`protocol: 'legacy'`), which has neither */
export interface OpenDetail { clientId: string | null; sessionId: string | null; config: ServerConfig | null; extensions: string }
export interface MessageDetail { message: ServerMessage | null; raw: unknown; bytes: number }
export interface SendDetail { message: { type: string; [field: string]: unknown } | null; raw: string; bytes: number }
export interface EventDetail<T = unknown> {
  channel: string;
  data: T;
  seq: number;
  offset: number | undefined;
  epoch: string | undefined;
  /** the publisher's id, absent for events of the server-side API */
  id: string | undefined;
  replayed: boolean;
}
export interface ResumedDetail { sessionId: string; replayed: number; received: number; lastSeq: number; positions: Record<string, Position> }
export interface ResumeFailedDetail {
  reason: 'unknown' | 'expired' | 'gap' | 'invalid_token' | (string & {});
  lostAfterSeq: number;
  channels: string[];
  lostChannels: string[];
}
export interface GapDetail { expected: number; got: number }
export interface DuplicateDetail { seq: number }
export interface CloseDetail { code: number; reason: string; wasClean: boolean; ownRequest: boolean }
export interface ReconnectingDetail { attempt: number; delay: number; code: number; reason: string }
export interface GiveUpDetail { attempts: number; code: number; reason: string }
export interface ShutdownDetail { reconnectAfter: number }
export interface LatencyDetail { rtt: number; serverTime: number }
export interface HeartbeatTimeoutDetail { silentFor: number }
export interface QueueOverflowDetail { dropped: string; policy: OverflowPolicy }
export interface ErrorDetail {
  error: unknown;
  /** the server's error code, for an `error` frame */
  code?: string;
  /** the `id` of the message the error is about */
  ref?: unknown;
  message?: ServerMessage;
}
export interface AuthenticatedDetail { sub: string; expiresAt: number }
export interface UnsubscribedDetail { channel: string; reason: string }
export type WakeTrigger = 'online' | 'visible' | 'sleep';
export interface WakeUpDetail {
  trigger: WakeTrigger;
  /** `check`: a ping with `wakeTimeout` to answer it; `reconnect`: the wait for a reconnect was cut short */
  action: 'check' | 'reconnect';
  /** for `sleep`: how many ms the timer was late */
  gap: number;
}
export interface PausedDetail { reason: 'offline' }

export interface RobustWebSocketEventMap {
  statechange: StateChangeDetail;
  open: OpenDetail;
  message: MessageDetail;
  send: SendDetail;
  event: EventDetail;
  resumed: ResumedDetail;
  resumefailed: ResumeFailedDetail;
  gap: GapDetail;
  duplicate: DuplicateDetail;
  close: CloseDetail;
  reconnecting: ReconnectingDetail;
  giveup: GiveUpDetail;
  shutdown: ShutdownDetail;
  latency: LatencyDetail;
  heartbeattimeout: HeartbeatTimeoutDetail;
  queueoverflow: QueueOverflowDetail;
  error: ErrorDetail;
  authenticated: AuthenticatedDetail;
  unsubscribed: UnsubscribedDetail;
  wakeup: WakeUpDetail;
  paused: PausedDetail;
}

export interface Stats {
  reconnects: number;
  sent: number;
  received: number;
  resumes: number;
  resumeFailures: number;
  replayed: number;
  gaps: number;
  duplicates: number;
  dropped: number;
}

export declare class RobustWebSocket extends EventTarget {
  constructor(url: string, options?: RobustWebSocketOptions);
  readonly url: string;
  readonly state: State;
  readonly clientId: string | null;
  readonly session: Session | null;
  readonly lastSeq: number;
  readonly positions: Readonly<Record<string, Position>>;
  readonly channels: ReadonlySet<string>;
  /** the last round trip of a ping, in ms */
  readonly latency: number | null;
  readonly identity: { sub: string; expiresAt: number } | null;
  readonly stats: Readonly<Stats>;
  /** the reconnect strategy in force */
  readonly strategy: ReconnectStrategy;
  /** publications that wait for their ack (sent or queued) */
  readonly pendingPublications: number;

  connect(): void;
  disconnect(reason?: string): void;
  forceReconnect(delay?: number): void;
  reconnectNow(): void;
  setReconnectStrategy(overrides: Partial<ReconnectStrategy>): void;
  /** sends a message object (or raw string) now, or queues it while offline */
  send(message: string | { type: string; [field: string]: unknown }): 'sent' | 'queued' | 'dropped';
  subscribe(channel: string, id?: string): void;
  unsubscribe(channel: string, id?: string): void;
  /**
   * Publishes, now or once the session is established; resolves with the server's `ack`,
   * rejects with a PublishError. A string is taken as `{id}`.
   */
  publish(channel: string, data: unknown, options?: PublishOptions | string): Promise<PublishAck>;
  /** sends an app-level ping now; false when not connected */
  ping(): boolean;

  addEventListener<K extends keyof RobustWebSocketEventMap>(
    type: K,
    listener: (this: RobustWebSocket, event: CustomEvent<RobustWebSocketEventMap[K]>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof RobustWebSocketEventMap>(
    type: K,
    listener: (this: RobustWebSocket, event: CustomEvent<RobustWebSocketEventMap[K]>) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | EventListenerOptions): void;
}

// ----- the pure functions behind the decisions -----

export type CloseRule = 'never' | 'after-shutdown' | 'backoff';
export declare function closeCodeRule(code: number, ownRequest?: boolean): CloseRule;
export declare function mergeStrategy(...layers: Array<Partial<ReconnectStrategy> | null | undefined>): ReconnectStrategy;
export declare function backoffDelay(attempt: number, strategy?: Partial<ReconnectStrategy>, random?: () => number): number;
export interface ReconnectDecisionInput {
  code: number;
  ownRequest?: boolean;
  attempt?: number;
  strategy?: Partial<ReconnectStrategy>;
  shutdownReconnectAfter?: number | null;
  random?: () => number;
}
export interface ReconnectDecision {
  reconnect: boolean;
  delay: number;
  nextAttempt: number;
  reason: 'own-request' | 'no-reconnect-code' | 'max-attempts' | 'shutdown' | 'backoff';
}
export declare function reconnectDecision(input: ReconnectDecisionInput): ReconnectDecision;
export declare function heartbeatDecision(input: {
  now: number;
  lastPingAt: number;
  pingOutstandingSince: number | null;
  heartbeatInterval: number;
  heartbeatTimeout: number;
}): 'timeout' | 'ping' | 'wait';
export declare function tokenRefreshDelay(now: number, expiresAt: number, refreshBefore: number): number;
export declare function classifySeq(lastSeq: number, seq: number): 'next' | 'duplicate' | 'gap';
export declare function frameBytes(data: unknown): number;
/** What the client's connection is doing, as wakeDecision sees it. */
export type ConnectionPhase = 'ready' | 'waiting' | 'paused' | 'other';
export declare function wakeDecision(trigger: WakeTrigger | 'offline', phase: ConnectionPhase): 'check' | 'reconnect' | 'pause' | 'none';
export declare function sleepGap(lastTickAt: number, now: number, tick: number): number;
export declare function browserEnvironment(global?: unknown): Environment | null;
