/** The part of a socket.io-client `Socket` the binding uses; a test double only needs these. */
export interface SocketLike {
  readonly connected: boolean
  on(event: string, listener: (...args: never[]) => void): unknown
  off(event: string, listener: (...args: never[]) => void): unknown
  emit(event: string, ...args: unknown[]): unknown
}

export interface BindSocketOptions {
  /** The queue to subscribe to on every connect (default 'default'). */
  queueId?: string
  /** Largest JSON preview of a rejected payload kept in `eventRejected` (default 512 characters). */
  maxPreviewChars?: number
}
