// The connected clients, their queue subscriptions and their delivery pipelines. Delivery options
// are global; each client gets its own pipeline (and its own chaos PRNG, seeded from the global seed
// and the client's connection ordinal since the options were last set).
import type { Server, Socket } from 'socket.io'
import { createPipeline } from './delivery'
import type { Pipeline, WireEvent } from './delivery'
import type { Timers } from './timers'
import type { DeliveryOptions } from './types'

interface Client {
  socket: Socket
  queues: Set<string>
  pipeline: Pipeline
}

export type Hub = ReturnType<typeof createHub>

const queueIdOf = (data: unknown): string | null => {
  const queueId = (data as { queue_id?: unknown } | null)?.queue_id
  return typeof queueId === 'string' && queueId.length > 0 ? queueId : null
}

export function createHub(io: Server, timers: Timers, initial: DeliveryOptions) {
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
    )

  io.on('connection', (socket) => {
    const client: Client = { socket, queues: new Set(), pipeline: pipelineFor(socket) }
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
      clients.delete(socket.id)
    })
  })

  return {
    /** Sends an event to every client subscribed to the queue. */
    emit(queueId: string, name: string, payload: object, boundary = false) {
      for (const client of clients.values()) {
        if (client.queues.has(queueId)) client.pipeline.push({ name, payload }, boundary)
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

    destroy() {
      for (const client of clients.values()) client.pipeline.destroy()
      clients.clear()
    },
  }
}
