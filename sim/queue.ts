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
  // Workflow calls: child item id → parent item id (and back), while both rows exist.
  const parents = new Map<number, number>()
  const children = new Map<number, number>()
  const ids = { next: 1 }

  const forget = (itemId: number) => {
    rows.delete(itemId)
    held.delete(itemId)
    const child = children.get(itemId)
    const parent = parents.get(itemId)
    if (child !== undefined) parents.delete(child)
    if (parent !== undefined) children.delete(parent)
    children.delete(itemId)
    parents.delete(itemId)
  }

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
      deleted.forEach((row) => forget(row.item_id))
      return deleted
    },

    /** A wiped database: no rows, and item ids start again from 1. */
    reset() {
      rows.clear()
      held.clear()
      parents.clear()
      children.clear()
      ids.next = 1
    },

    /** Records that `child` runs a workflow called by `parent`. */
    link(parent: QueueRow, child: QueueRow) {
      children.set(parent.item_id, child.item_id)
      parents.set(child.item_id, parent.item_id)
    },

    /** The row of the workflow this item is waiting for, if any. */
    childOf: (itemId: number) => {
      const child = children.get(itemId)
      return child === undefined ? undefined : rows.get(child)
    },

    /** Every item id of the queue, of every user: newest first for DESC. */
    itemIds(queueId: string, order: 'ASC' | 'DESC') {
      const sorted = inQueue(queueId)
        .map((row) => row.item_id)
        .sort((a, b) => a - b)
      return order === 'DESC' ? sorted.reverse() : sorted
    },

    /** The row being executed now (a waiting parent is not: its child is). */
    current: (queueId: string) => inQueue(queueId).find((row) => row.status === 'in_progress'),

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
      // A workflow-call parent that resumes gets a new started_at, as the server does.
      if (status === 'in_progress') row.started_at = now
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

    /** SessionQueueStatus; the current item is the queue's in_progress row, `user_*` count `userId`'s rows. */
    queueStatus(queueId: string, userId?: string) {
      const queueRows = inQueue(queueId)
      const current = queueRows.find((row) => row.status === 'in_progress')
      const counts = count(queueRows)
      const own = userId === undefined ? counts : count(queueRows.filter((row) => row.user_id === userId))
      return {
        queue_id: queueId,
        item_id: current?.item_id ?? null,
        batch_id: current?.batch_id ?? null,
        session_id: current?.session_id ?? null,
        ...counts,
        user_pending: own.pending,
        user_in_progress: own.in_progress,
      }
    },
  }
}
