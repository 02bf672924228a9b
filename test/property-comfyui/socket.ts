import {
  decodeBinaryFrame,
  parseComfyFrame,
  type ComfySocket,
  type ComfySocketEvents,
} from '../../src/comfyui'

/*
 * The ComfySocket the engine binds, in memory: the harness opens and drops it, and pushes the server's
 * text and binary frames through the adapter's own parsing, as the real transport does.
 */

type Listeners = { [K in keyof ComfySocketEvents]: Set<ComfySocketEvents[K]> }

export interface PropertySocket {
  socket: ComfySocket
  readonly connected: boolean
  open(): void
  drop(): void
  push(wire: string | Uint8Array): void
}

export function createPropertySocket(clientId: string): PropertySocket {
  const listeners: Listeners = {
    frame: new Set(),
    binary: new Set(),
    rejected: new Set(),
    open: new Set(),
    close: new Set(),
  }
  const state = { connected: false, opens: 0 }
  const emit = <K extends keyof ComfySocketEvents>(event: K, ...args: Parameters<ComfySocketEvents[K]>) => {
    for (const listener of listeners[event]) (listener as (...values: typeof args) => void)(...args)
  }
  const socket: ComfySocket = {
    clientId,
    get connected() {
      return state.connected
    },
    serverFeatures: null,
    connect() {},
    close() {
      state.connected = false
    },
    on(event, listener) {
      listeners[event].add(listener as never)
      return () => void listeners[event].delete(listener as never)
    },
  }
  return {
    socket,
    get connected() {
      return state.connected
    },
    open() {
      state.connected = true
      state.opens += 1
      emit('open', { reconnect: state.opens > 1, clientId })
    },
    drop() {
      state.connected = false
      emit('close', { code: 1006, reason: 'dropped' })
    },
    push(wire) {
      if (!state.connected) return
      if (typeof wire !== 'string') {
        const decoded = decodeBinaryFrame(wire)
        if (decoded.ok) emit('binary', decoded.frame)
        else
          emit('rejected', {
            type: null,
            issues: [{ path: '(binary)', message: decoded.reason }],
            preview: '',
          })
        return
      }
      const parsed = parseComfyFrame(wire)
      if (parsed.kind === 'frame') emit('frame', parsed.frame)
      else if (parsed.kind === 'rejected')
        emit('rejected', { type: parsed.type, issues: parsed.issues, preview: wire.slice(0, 200) })
    },
  }
}
