import type { SocketLike, SocketListener } from '../invokeai/socket/types'

type Listener = SocketListener

export interface MockSocket extends SocketLike {
  connected: boolean
  /** What the client emitted, in order (e.g. `['subscribe_queue', { queue_id: 'default' }]`). */
  readonly emitted: [string, ...unknown[]][]
  /** The server sends an event to this client. */
  serverPush(event: string, payload: unknown): void
  connect(): void
  disconnect(reason?: string): void
  /** A dropped connection that comes back, as socket.io-client does by itself. */
  reconnect(): void
  listenerCount(event: string): number
}

/** An in-memory stand-in for a socket.io-client socket, driven by the test. */
export function createMockSocket(options: { connected?: boolean } = {}): MockSocket {
  const listeners = new Map<string, Set<Listener>>()
  const emitted: [string, ...unknown[]][] = []
  const fire = (event: string, ...args: unknown[]) => {
    for (const listener of [...(listeners.get(event) ?? [])]) listener(...args)
  }
  const socket: MockSocket = {
    connected: options.connected ?? false,
    emitted,
    on(event, listener) {
      const set = listeners.get(event) ?? new Set<Listener>()
      set.add(listener)
      listeners.set(event, set)
      return socket
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener)
      return socket
    },
    emit(event, ...args) {
      emitted.push([event, ...args])
      return socket
    },
    serverPush(event, payload) {
      // A disconnected socket receives nothing: the server does not replay what was missed.
      if (socket.connected) fire(event, payload)
    },
    connect() {
      if (socket.connected) return
      socket.connected = true
      fire('connect')
    },
    disconnect(reason = 'transport close') {
      if (!socket.connected) return
      socket.connected = false
      fire('disconnect', reason)
    },
    reconnect() {
      socket.disconnect()
      socket.connect()
    },
    listenerCount(event) {
      return listeners.get(event)?.size ?? 0
    },
  }
  return socket
}
