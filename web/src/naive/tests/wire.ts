import { invocationOutputReceived } from '../../../../src'
import { createExecutionStore, type ExecutionStoreOptions } from '../../../../src/store'
import { createMockSocket } from '../../../../src/testing'
import type { EngineGalleryImage } from '../compare'

/*
 * Wire events as the server sends them (nulls present), and an engine on a mock socket that settles items
 * without REST unless asked (no origin reconciled), for the naive client and the timeline to be fed the same events.
 */

export type WireEvent = [string, Record<string, unknown>]

const base = (itemId: number) => ({
  timestamp: 1787134502,
  queue_id: 'default',
  item_id: itemId,
  batch_id: `batch-${itemId}`,
  origin: 'workflows',
  destination: 'gallery',
  user_id: 'system',
})

export const status = (itemId: number, value: string, seq: number): WireEvent => [
  'queue_item_status_changed',
  {
    ...base(itemId),
    status: value,
    status_sequence: seq,
    error_type: null,
    error_message: null,
    error_traceback: null,
    created_at: null,
    updated_at: null,
    started_at: value === 'pending' ? null : '2026-08-19 10:15:02.104',
    completed_at: null,
    batch_status: null,
    queue_status: null,
    session_id: `session-${itemId}`,
  },
]

const invocation = (itemId: number, preparedId: string, nodeId: string, type: string) => ({
  ...base(itemId),
  session_id: `session-${itemId}`,
  invocation: { id: preparedId, type, is_intermediate: false },
  invocation_source_id: nodeId,
})

export const started = (itemId: number, preparedId: string, nodeId: string): WireEvent => [
  'invocation_started',
  invocation(itemId, preparedId, nodeId, 'l2i'),
]

export const progress = (
  itemId: number,
  preparedId: string,
  nodeId: string,
  percentage: number,
): WireEvent => [
  'invocation_progress',
  {
    ...invocation(itemId, preparedId, nodeId, 'l2i'),
    message: 'step',
    percentage,
    image: null,
    device: null,
  },
]

export const imageResult = (imageName: string) => ({
  type: 'image_output',
  image: { image_name: imageName },
  width: 8,
  height: 8,
})

export const complete = (
  itemId: number,
  preparedId: string,
  nodeId: string,
  imageName: string,
): WireEvent => [
  'invocation_complete',
  { ...invocation(itemId, preparedId, nodeId, 'l2i'), result: imageResult(imageName) },
]

/** One item, one node run twice (a fan-out of two copies), each copy with an image: in order. */
export function fanoutRun(itemId: number): WireEvent[] {
  return [
    status(itemId, 'pending', 0),
    status(itemId, 'in_progress', 1),
    started(itemId, `${itemId}-a`, 'decode'),
    progress(itemId, `${itemId}-a`, 'decode', 0.5),
    complete(itemId, `${itemId}-a`, 'decode', `${itemId}-a.png`),
    started(itemId, `${itemId}-b`, 'decode'),
    progress(itemId, `${itemId}-b`, 'decode', 0.5),
    complete(itemId, `${itemId}-b`, 'decode', `${itemId}-b.png`),
    status(itemId, 'completed', 2),
  ]
}

/** 6.13: every event twice, interleaved A, B, A, B. */
export function doubled(events: WireEvent[]): WireEvent[] {
  const out: WireEvent[] = []
  for (let i = 0; i < events.length; i += 2) {
    const pair = events.slice(i, i + 2)
    out.push(...pair, ...pair)
  }
  return out
}

/** An engine on a mock socket, connected, and the gallery the live page hangs on its exactly-once outputs. */
export function engineOnMockSocket(options: ExecutionStoreOptions = {}) {
  const socket = createMockSocket()
  const store = createExecutionStore({ reconcileOrigins: [], hydrate: false, devTools: false, ...options })
  const gallery: EngineGalleryImage[] = []
  store.startListening({
    actionCreator: invocationOutputReceived,
    effect: ({ payload }) => {
      const name = (payload.output as { image?: { image_name?: unknown } }).image?.image_name
      if (typeof name === 'string')
        gallery.push({ itemId: payload.itemId, imageName: name, via: payload.via })
    },
  })
  const unbind = store.bindSocket(socket)
  socket.connect()
  const push = (events: WireEvent[]) => {
    for (const [event, payload] of events) socket.serverPush(event, payload)
  }
  return { socket, store, gallery, push, close: () => (unbind(), store.close()) }
}
