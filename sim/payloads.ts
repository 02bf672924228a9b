// Builders of the wire payloads. Socket payloads keep every field (null where empty), in the
// fixtures' key order; REST bodies go through withoutNulls.
import { encodePng, pngDataUrl } from './png'
import type { Raster } from './png'
import type { GraphNode, JsonObject, QueueRow } from './types'
import { REDACTED } from './users'

/** `2026-08-19 10:15:02.104`: UTC, no zone, milliseconds, as the server formats its row dates. */
export function formatDate(date: Date = new Date()): string {
  return date.toISOString().replace('T', ' ').slice(0, 23)
}

/** Socket `timestamp`: whole seconds, so it cannot order events. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/** REST responses omit null fields at every level (arrays keep their elements). */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls)
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {}
    for (const [key, field] of Object.entries(value)) {
      if (field !== null && field !== undefined) out[key] = withoutNulls(field)
    }
    return out
  }
  return value
}

function itemBase(row: QueueRow): JsonObject {
  return {
    timestamp: unixSeconds(),
    queue_id: row.queue_id,
    item_id: row.item_id,
    batch_id: row.batch_id,
    origin: row.origin,
    destination: row.destination,
    user_id: row.user_id,
  }
}

export function statusChangedPayload(row: QueueRow, batchStatus: JsonObject, queueStatus: JsonObject) {
  return {
    ...itemBase(row),
    status: row.status,
    status_sequence: row.status_sequence,
    error_type: row.error_type,
    error_message: row.error_message,
    error_traceback: row.error_traceback,
    created_at: row.created_at,
    updated_at: row.updated_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    batch_status: batchStatus,
    queue_status: queueStatus,
    session_id: row.session_id,
  }
}

export function invocationPayload(row: QueueRow, node: GraphNode, sourceId: string, extra: JsonObject = {}) {
  return {
    ...itemBase(row),
    session_id: row.session_id,
    invocation: node,
    invocation_source_id: sourceId,
    ...extra,
  }
}

export function batchEnqueuedPayload(
  queueId: string,
  batchId: string,
  enqueued: number,
  priority: number,
  origin: string | null,
  userId: string,
) {
  return {
    timestamp: unixSeconds(),
    queue_id: queueId,
    batch_id: batchId,
    enqueued,
    requested: enqueued,
    priority,
    origin,
    user_id: userId,
  }
}

export function queueClearedPayload(queueId: string) {
  // user_id null: every user's items were deleted (single-user server).
  return { timestamp: unixSeconds(), queue_id: queueId, user_id: null }
}

/** The ids grouped by owner, in first-seen order: `user_ids` and the `…_by_user` map of bulk events. */
function byUser(rows: readonly Pick<QueueRow, 'item_id' | 'user_id'>[]) {
  const grouped: Record<string, number[]> = {}
  for (const row of rows) (grouped[row.user_id] ??= []).push(row.item_id)
  return { ids: rows.map((row) => row.item_id), userIds: Object.keys(grouped), grouped }
}

export function queueItemsCanceledPayload(
  queueId: string,
  rows: readonly Pick<QueueRow, 'item_id' | 'user_id'>[],
) {
  const { ids, userIds, grouped } = byUser(rows)
  return {
    timestamp: unixSeconds(),
    queue_id: queueId,
    canceled_item_ids: ids,
    user_ids: userIds,
    canceled_item_ids_by_user: grouped,
  }
}

export function queueItemsRetriedPayload(
  queueId: string,
  rows: readonly Pick<QueueRow, 'item_id' | 'user_id'>[],
) {
  const { ids, userIds, grouped } = byUser(rows)
  return {
    timestamp: unixSeconds(),
    queue_id: queueId,
    retried_item_ids: ids,
    user_ids: userIds,
    retried_item_ids_by_user: grouped,
  }
}

/**
 * The multi-user companion of a status event, for every other user: ids redacted, origin, destination and
 * errors null, the counts kept. The queue's current item keeps its id only (ids carry no data).
 */
export function redactedStatusPayload(full: ReturnType<typeof statusChangedPayload>) {
  const queueStatus = full.queue_status
  return {
    ...full,
    batch_id: REDACTED,
    origin: null,
    destination: null,
    user_id: REDACTED,
    error_type: null,
    error_message: null,
    error_traceback: null,
    batch_status: { ...full.batch_status, batch_id: REDACTED, origin: null, destination: null },
    queue_status: {
      ...queueStatus,
      batch_id: queueStatus.batch_id === null ? null : REDACTED,
      session_id: queueStatus.session_id === null ? null : REDACTED,
      user_pending: null,
      user_in_progress: null,
    },
    session_id: REDACTED,
  }
}

export function redactedBatchEnqueuedPayload(full: ReturnType<typeof batchEnqueuedPayload>) {
  return { ...full, batch_id: REDACTED, origin: null, user_id: REDACTED }
}

/** invocation_progress `image`: a small PNG data URL (a few KB), as the server's latent previews. */
export function progressImage(frame: Raster) {
  return { width: frame.width, height: frame.height, dataURL: pngDataUrl(encodePng(frame)) }
}
