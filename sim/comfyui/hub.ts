// The sockets, by sid: what `/ws?clientId=…` registered. A frame for a sid that is not connected at
// that moment is dropped, as on the real server: no buffer, no replay beyond the connect-time
// `executing`. A sid reconnecting replaces the older socket, whose late close does not unregister the
// new one (core issue #16010 is not reproduced).
import type { WebSocket } from 'ws'
import { json, serverFeatureFlags } from './frames'
import type { Frame } from './frames'
import type { JsonObject } from './types'

export interface HubDeps {
  queueRemaining(): number
  /** The node to replay to this sid on connect (it is the running prompt's client, mid-node), or null. */
  replayFor(sid: string): string | null
}

interface Client {
  ws: WebSocket
  /** The flags of the client's first text frame, when that was `feature_flags`. */
  flags: JsonObject
  heardFirst: boolean
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function write(ws: WebSocket, frame: Frame): boolean {
  if (ws.readyState !== ws.OPEN) return false
  if (frame.kind === 'json') ws.send(JSON.stringify({ type: frame.type, data: frame.data }))
  else ws.send(frame.bytes, { binary: true })
  return true
}

export type Hub = ReturnType<typeof createHub>

export function createHub(deps: HubDeps) {
  const clients = new Map<string, Client>()

  const onFirstText = (client: Client, text: string) => {
    let message: unknown
    try {
      message = JSON.parse(text)
    } catch {
      return
    }
    if (!isObject(message) || message['type'] !== 'feature_flags' || !isObject(message['data'])) return
    client.flags = message['data']
    write(client.ws, json('feature_flags', serverFeatureFlags()))
  }

  /** Cuts one sid's socket without a close handshake, as a lost connection does. */
  const drop = (sid: string) => {
    const client = clients.get(sid)
    if (!client) return
    clients.delete(sid)
    client.ws.terminate()
  }

  return {
    /** Registers a new socket under `sid` and greets it: status with its sid, then the replay if any. */
    attach(ws: WebSocket, sid: string) {
      const client: Client = { ws, flags: {}, heardFirst: false }
      clients.set(sid, client)
      ws.on('error', () => ws.terminate())
      ws.on('close', () => {
        if (clients.get(sid) === client) clients.delete(sid)
      })
      // Only the first text frame can be the handshake; binary frames and later text are ignored.
      ws.on('message', (data, isBinary) => {
        if (isBinary || client.heardFirst) return
        client.heardFirst = true
        onFirstText(client, Buffer.isBuffer(data) ? data.toString('utf8') : String(data))
      })
      write(ws, json('status', { status: { exec_info: { queue_remaining: deps.queueRemaining() } }, sid }))
      const node = deps.replayFor(sid)
      if (node !== null) write(ws, json('executing', { node }))
    },

    /** To one sid; false when it is not connected (the frame is gone). */
    send(sid: string, frame: Frame): boolean {
      const client = clients.get(sid)
      return client ? write(client.ws, frame) : false
    },

    broadcast(frame: Frame) {
      for (const client of [...clients.values()]) write(client.ws, frame)
    },

    supportsPreviewMetadata: (sid: string) => clients.get(sid)?.flags['supports_preview_metadata'] === true,

    /** Sockets connected now. */
    size: () => clients.size,

    drop,

    disconnectAll() {
      for (const sid of [...clients.keys()]) drop(sid)
    },
  }
}
