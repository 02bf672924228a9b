// The connected clients, their queue subscriptions and their delivery pipelines. Delivery options
// are global; each client gets its own pipeline (and its own chaos PRNG, seeded from the global seed
// and the client's connection ordinal since the options were last set). Each client is a user (see
// users.ts): it gets the full events of the items it may see, and only the companions of the others.
import type { Server, Socket } from 'socket.io'
import { createPipeline } from './delivery'
import type { Pipeline, WireEvent } from './delivery'
import type { Timers } from './timers'
import type { DeliveryOptions } from './types'
import { seesInFull, systemIdentity } from './users'
import type { Identity } from './users'

interface Client {
  socket: Socket
  identity: Identity
  queues: Set<string>
  pipeline: Pipeline
}

/** Who an item event is for: its owner (and admins) get it in full, other users `companion` or nothing. */
export interface Audience {
  ownerId: string
  companion: object | null
}

/** Set by the connection middleware in index.ts. */
const identityOf = (socket: Socket): Identity =>
  (socket.data as { identity?: Identity }).identity ?? systemIdentity

export type Hub = ReturnType<typeof createHub>

const queueIdOf = (data: unknown): string | null => {
  const queueId = (data as { queue_id?: unknown } | null)?.queue_id
  return typeof queueId === 'string' && queueId.length > 0 ? queueId : null
}

export function createHub(io: Server, timers: Timers, initial: DeliveryOptions, chaosIdleFlushMs?: number) {
  const clients = new Map<string, Client>()
  const state = { options: initial, ordinal: 0 }

  const pipelineFor = (socket: Socket) =>
    createPipeline(
      state.options,
      state.ordinal++,
      {
        emit: (event: WireEvent) => {
          if (socket.connected) socket.emit(event.name, event.payload)
        },
        // Closing the transport (not socket.disconnect()) makes socket.io-client reconnect by itself.
        disconnect: () => socket.conn.close(),
      },
      timers,
      chaosIdleFlushMs,
    )

  io.on('connection', (socket) => {
    const client: Client = {
      socket,
      identity: identityOf(socket),
      queues: new Set(),
      pipeline: pipelineFor(socket),
    }
    clients.set(socket.id, client)
    socket.on('subscribe_queue', (data: unknown) => {
      const queueId = queueIdOf(data)
      if (queueId) client.queues.add(queueId)
    })
    socket.on('unsubscribe_queue', (data: unknown) => {
      const queueId = queueIdOf(data)
      if (queueId) client.queues.delete(queueId)
    })
    socket.on('disconnect', () => {
      client.pipeline.destroy()
      if (clients.get(socket.id) === client) clients.delete(socket.id)
    })
  })

  return {
    /** Sends an event to every client subscribed to the queue; without an audience, in full to all. */
    emit(queueId: string, name: string, payload: object, boundary = false, audience?: Audience) {
      for (const client of clients.values()) {
        if (!client.queues.has(queueId)) continue
        const full = !audience || seesInFull(client.identity, audience.ownerId)
        const sent = full ? payload : audience.companion
        if (sent) client.pipeline.push({ name, payload: sent }, boundary)
        else if (boundary) client.pipeline.flush()
      }
    },

    get options() {
      return state.options
    },

    setOptions(options: DeliveryOptions) {
      state.options = options
      state.ordinal = 0
      for (const client of clients.values()) {
        client.pipeline.drain()
        client.pipeline.destroy()
        client.pipeline = pipelineFor(client.socket)
      }
    },

    disconnectAll() {
      for (const client of clients.values()) client.socket.conn.close()
    },

    clientCount: () => clients.size,

    /** A restart: the clients' sockets are about to drop, and what their pipelines hold is lost. */
    reset() {
      for (const client of clients.values()) client.pipeline.destroy()
      clients.clear()
      state.ordinal = 0
    },

    destroy() {
      for (const client of clients.values()) client.pipeline.destroy()
      clients.clear()
    },
  }
}
