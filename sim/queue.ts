// The queue table: rows by item id, their order, status transitions and the counts that
// status events carry. Pure bookkeeping: it emits nothing.
import { formatDate } from './payloads'
import type { JsonObject, QueueItemStatus, QueueRow } from './types'

const terminal: ReadonlySet<QueueItemStatus> = new Set(['completed', 'failed', 'canceled'])

export const isTerminal = (status: QueueItemStatus) => terminal.has(status)

interface Counts {
  pending: number
  in_progress: number
  waiting: number
  completed: number
  failed: number
  canceled: number
  total: number
}

function count(rows: Iterable<QueueRow>): Counts {
  const counts: Counts = {
    pending: 0,
    in_progress: 0,
    waiting: 0,
    completed: 0,
    failed: 0,
    canceled: 0,
    total: 0,
  }
  for (const row of rows) {
    counts[row.status] += 1
    counts.total += 1
  }
  return counts
}

export interface ItemError {
  error_type: string
  error_message: string
  error_traceback: string
}

export type QueueStore = ReturnType<typeof createQueueStore>

export function createQueueStore() {
  const rows = new Map<number, QueueRow>()
  // Rows not yet handed to the worker: their enqueue response has not gone out yet.
  const held = new Set<number>()
  const ids = { next: 1 }

  const inQueue = (queueId: string) => [...rows.values()].filter((row) => row.queue_id === queueId)

  return {
    nextItemId: () => ids.next++,

    insert(row: QueueRow, hold: boolean) {
      rows.set(row.item_id, row)
      if (hold) held.add(row.item_id)
    },

    release(itemIds: number[]) {
      itemIds.forEach((id) => held.delete(id))
    },

    get: (itemId: number) => rows.get(itemId),

    rows: (queueId?: string) => (queueId === undefined ? [...rows.values()] : inQueue(queueId)),

    /** Deletes the queue's rows, as the server's clear does; returns them. */
    deleteQueue(queueId: string): QueueRow[] {
      const deleted = inQueue(queueId)
      deleted.forEach((row) => {
        rows.delete(row.item_id)
        held.delete(row.item_id)
      })
      return deleted
    },

    /** The next row to run, by priority then item id; undefined while that row is still held. */
    nextRunnable(): QueueRow | undefined {
      const pending = [...rows.values()]
        .filter((row) => row.status === 'pending')
        .sort((a, b) => b.priority - a.priority || a.item_id - b.item_id)
      const next = pending[0]
      return next && !held.has(next.item_id) ? next : undefined
    },

    hasPending: () => [...rows.values()].some((row) => row.status === 'pending'),

    /** Moves a row to a new status: one more status_sequence, the server's timestamps. */
    transition(row: QueueRow, status: QueueItemStatus, error?: ItemError) {
      const now = formatDate()
      row.status = status
      row.status_sequence += 1
      row.updated_at = now
      if (status === 'in_progress' && row.started_at === null) row.started_at = now
      if (isTerminal(status)) row.completed_at = now
      if (error) Object.assign(row, error)
    },

    batchStatus(row: QueueRow): JsonObject {
      const batch = [...rows.values()].filter((r) => r.batch_id === row.batch_id)
      return {
        queue_id: row.queue_id,
        batch_id: row.batch_id,
        origin: row.origin,
        destination: row.destination,
        ...count(batch),
      }
    },

    /** SessionQueueStatus; the current item is the queue's in_progress row. */
    queueStatus(queueId: string): JsonObject {
      const queueRows = inQueue(queueId)
      const current = queueRows.find((row) => row.status === 'in_progress')
      const counts = count(queueRows)
      return {
        queue_id: queueId,
        item_id: current?.item_id ?? null,
        batch_id: current?.batch_id ?? null,
        session_id: current?.session_id ?? null,
        ...counts,
        user_pending: counts.pending,
        user_in_progress: counts.in_progress,
      }
    },
  }
}
