import type { Socket } from 'socket.io-client'
import type { SocketLike } from '../../../src'

type Listener = (...args: unknown[]) => void

/**
 * socket.io-client's generic `on`/`off` signatures do not type-check against the engine's `SocketLike`
 * (its listeners take `never[]`), so the page hands `bindSocket` this thin pass-through instead of a cast.
 */
export function asSocketLike(socket: Socket): SocketLike {
  return {
    get connected() {
      return socket.connected
    },
    on: (event, listener) => socket.on(event, listener as Listener),
    off: (event, listener) => socket.off(event, listener as Listener),
    emit: (event, ...args) => socket.emit(event, ...args),
  }
}
