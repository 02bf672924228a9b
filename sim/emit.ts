// Turns queue and run changes into socket events for the hub, and tells the simulator's own
// waiters (enqueue response gating, whenSettled, whenIdle) that something happened.
import type { EventEmitter } from 'node:events'
import type { PreparedCopy } from './graph'
import type { Hub } from './hub'
import { invocationPayload, statusChangedPayload } from './payloads'
import type { QueueStore } from './queue'
import type { JsonObject, QueueRow } from './types'

export type Emitter = ReturnType<typeof createEmitter>

/** Names of the simulator's internal signals (not socket events). */
export const SIGNAL_ITEM = 'item'

export function createEmitter(store: QueueStore, hub: Hub, signals: EventEmitter) {
  return {
    /** `boundary`: the last event of the item's run, so delivery may flush what it holds. */
    status(row: QueueRow, boundary = false) {
      const payload = statusChangedPayload(row, store.batchStatus(row), store.queueStatus(row.queue_id))
      hub.emit(row.queue_id, 'queue_item_status_changed', payload, boundary)
      signals.emit(SIGNAL_ITEM, row.item_id, 'queue_item_status_changed')
    },

    invocation(row: QueueRow, name: string, copy: PreparedCopy, extra: JsonObject = {}, boundary = false) {
      hub.emit(row.queue_id, name, invocationPayload(row, copy.node, copy.sourceId, extra), boundary)
      signals.emit(SIGNAL_ITEM, row.item_id, name)
    },

    queue(queueId: string, name: string, payload: object, boundary = false) {
      hub.emit(queueId, name, payload, boundary)
    },
  }
}
