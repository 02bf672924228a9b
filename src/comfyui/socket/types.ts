import type { BinaryFrame, ComfyFrame } from '../wire'

/**
 * The part of a WebSocket the transport uses. The browser's `WebSocket` and `ws`'s both fit. The handlers'
 * event parameter is typed `never` on purpose: the two implementations pass different event classes, and
 * the transport reads only `data` (message) and `code`/`reason` (close), checking each one's type itself.
 */
export interface WebSocketLike {
  /** Set to 'arraybuffer' before the socket opens. Browsers use 'blob' | 'arraybuffer'; `ws` also has 'nodebuffer'. */
  binaryType: string
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: never) => void) | null
  onmessage: ((event: never) => void) | null
  onclose: ((event: never) => void) | null
  onerror: ((event: never) => void) | null
}

/** A WebSocket constructor: `globalThis.WebSocket`, or `ws`'s `WebSocket` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike

/** A frame that failed validation. */
export interface ComfySocketRejection {
  /** The JSON frame's `type` when it had one; null for a frame without one and for every binary frame. */
  type: string | null
  /** Where the frame is wrong and why. A binary frame's single issue has the path '(binary)'. */
  issues: { path: string; message: string }[]
  /** At most 200 characters: a text frame's start, or a binary frame's first bytes in hex. */
  preview: string
}

export interface ComfySocketEvents {
  /** A JSON frame the adapter reads, validated. */
  frame(frame: ComfyFrame): void
  /** A binary frame, decoded (preview types 1 and 4, progress text 3). */
  binary(frame: BinaryFrame): void
  /** A frame that failed validation (JSON or binary): what, and why. Nothing else happens. */
  rejected(rejection: ComfySocketRejection): void
  /** The socket opened (first time or again); `reconnect` is true from the second open on. */
  open(info: { reconnect: boolean; clientId: string }): void
  /**
   * The socket closed; a reconnect is scheduled unless closed by `close()`. Only a socket that had opened
   * closes: an attempt that never opened is retried (with backoff) without an event, so `open` and `close`
   * alternate. `close()` on an open socket emits this at once, with code 1000.
   */
  close(info: { code: number; reason: string }): void
}

export interface ComfySocketOptions {
  /** Server root, e.g. 'http://127.0.0.1:8188' (ws/wss derived), or a ws:// URL root. `/ws` is appended. */
  url: string
  /** Stable across reconnects; default: a random 32-hex id generated once per connection object. */
  clientId?: string
  /** The WebSocket constructor: globalThis.WebSocket in browsers; in Node 20 pass `ws`'s WebSocket. */
  WebSocket?: WebSocketConstructor
  /** Sent as the first frame on every open. Default { supports_preview_metadata: true }. */
  featureFlags?: Record<string, unknown>
  /**
   * Reconnect delay: starts at reconnectDelayMs (default 300), doubles after each attempt that does not
   * open, up to maxReconnectDelayMs (default 10_000), and resets after an open.
   */
  reconnectDelayMs?: number
  maxReconnectDelayMs?: number
  /** Extra query params (e.g. token for cloud). `clientId` cannot be one of them. */
  query?: Record<string, string>
}

export interface ComfySocket {
  /** The id in every connection's query; the server's `status.sid` never changes it. */
  readonly clientId: string
  /** Whether the current socket is open. */
  readonly connected: boolean
  /** The server's advertised flags from its feature_flags reply, null until received (again null at each open). */
  readonly serverFeatures: Record<string, unknown> | null
  /** Opens the socket, and keeps reopening it when it drops. Does nothing while a socket or a retry is pending. */
  connect(): void
  /** Closes for good: no reconnect, listeners kept. Nothing is emitted afterwards until `connect()` again. */
  close(): void
  /** Adds a listener; returns the function that removes it. A listener that throws does not stop the others. */
  on<K extends keyof ComfySocketEvents>(event: K, listener: ComfySocketEvents[K]): () => void
}
