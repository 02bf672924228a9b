/** A socket.io listener. socket.io-client types listeners with `any` arguments; this must accept them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SocketListener = (...args: any[]) => void

/** The part of a socket.io-client `Socket` the binding uses; a test double only needs these. */
export interface SocketLike {
  readonly connected: boolean
  on(event: string, listener: SocketListener): unknown
  off(event: string, listener: SocketListener): unknown
  emit(event: string, ...args: unknown[]): unknown
}

export interface BindSocketOptions {
  /** The queue to subscribe to on every connect (default 'default'). */
  queueId?: string
  /** Largest JSON preview of a rejected payload kept in `eventRejected` (default 512 characters). */
  maxPreviewChars?: number
  /** Set on the actions whose payload passed its schema here: the engine's reducer does not parse them again. */
  validatedMark?: symbol
}
