// Turns queue and run changes into socket events for the hub, and tells the simulator's own
// waiters (enqueue response gating, whenSettled, whenIdle, waiting workflow-call parents) that
// something happened. Item events go in full to their owner and admins; other users get the
// redacted companion of status events and nothing of invocation events.
import type { EventEmitter } from 'node:events'
import type { PreparedCopy } from './graph'
import type { Audience, Hub } from './hub'
import { invocationPayload, redactedStatusPayload, statusChangedPayload } from './payloads'
import type { QueueStore } from './queue'
import type { JsonObject, QueueRow } from './types'

export type Emitter = ReturnType<typeof createEmitter>

/** Names of the simulator's internal signals (not socket events). */
export const SIGNAL_ITEM = 'item'

export interface QueueEventOptions {
  /** The event ends something (a clear): delivery may flush what it holds. */
  boundary?: boolean
  /** Per-user delivery (batch_enqueued); without it every subscribed client gets the event. */
  audience?: Audience
  /** Items whose status this event changed without a per-item event (bulk cancel). */
  itemIds?: number[]
}

export function createEmitter(store: QueueStore, hub: Hub, signals: EventEmitter) {
  return {
    /** `boundary`: the last event of the item's run, so delivery may flush what it holds. */
    status(row: QueueRow, boundary = false) {
      const payload = statusChangedPayload(
        row,
        store.batchStatus(row),
        store.queueStatus(row.queue_id, row.user_id),
      )
      const audience = { ownerId: row.user_id, companion: redactedStatusPayload(payload) }
      hub.emit(row.queue_id, 'queue_item_status_changed', payload, boundary, audience)
      signals.emit(SIGNAL_ITEM, row.item_id, 'queue_item_status_changed')
    },

    invocation(row: QueueRow, name: string, copy: PreparedCopy, extra: JsonObject = {}, boundary = false) {
      const payload = invocationPayload(row, copy.node, copy.sourceId, extra)
      hub.emit(row.queue_id, name, payload, boundary, { ownerId: row.user_id, companion: null })
      signals.emit(SIGNAL_ITEM, row.item_id, name)
    },

    queue(queueId: string, name: string, payload: object, options: QueueEventOptions = {}) {
      hub.emit(queueId, name, payload, options.boundary ?? false, options.audience)
      options.itemIds?.forEach((itemId) => signals.emit(SIGNAL_ITEM, itemId, name))
    },
  }
}
