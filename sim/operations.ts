// What the queue endpoints do, shared by REST and the programmatic API: enqueue, cancel, clear,
// bulk cancel, retry and status. Each emits what the server emits for it.
import type { Emitter } from './emit'
import { notFound, unprocessable } from './errors'
import { parseGraph } from './graph'
import {
  batchEnqueuedPayload,
  queueClearedPayload,
  queueItemsCanceledPayload,
  queueItemsRetriedPayload,
  redactedBatchEnqueuedPayload,
  withoutNulls,
} from './payloads'
import { isTerminal } from './queue'
import type { QueueStore } from './queue'
import { uuid } from './random'
import { createRow, sanitizedRow } from './rows'
import { scenarios } from './scenarios'
import type { EnqueueBatchResult, JsonObject, QueueRow, ScenarioEnqueueOptions } from './types'
import { seesInFull, SYSTEM_USER_ID, systemIdentity } from './users'
import type { Identity } from './users'
import { parseEnqueueBody, parseScenarioParams, parseUserId } from './validate'
import type { EnqueueRequest } from './validate'
import type { createWorker } from './worker'

export type Operations = ReturnType<typeof createOperations>

export function createOperations(store: QueueStore, emit: Emitter, worker: ReturnType<typeof createWorker>) {
  /** `hold`: the rows wait for release() before the worker may take them (enqueue response gating). */
  const enqueueRequest = (
    request: EnqueueRequest,
    queueId: string,
    hold: boolean,
    userId: string,
  ): EnqueueBatchResult => {
    const batchId = uuid()
    const priority = request.prepend ? 1 : 0
    const rows: QueueRow[] = Array.from({ length: request.runs }, () =>
      createRow({
        itemId: store.nextItemId(),
        queueId,
        batchId,
        userId,
        priority,
        origin: request.origin,
        destination: request.destination,
        graph: request.graph,
      }),
    )
    rows.forEach((row) => store.insert(row, hold))
    const enqueued = batchEnqueuedPayload(queueId, batchId, rows.length, priority, request.origin, userId)
    emit.queue(queueId, 'batch_enqueued', enqueued, {
      audience: { ownerId: userId, companion: redactedBatchEnqueuedPayload(enqueued) },
    })
    rows.forEach((row) => emit.status(row))
    if (!hold) worker.kick()
    return {
      queue_id: queueId,
      enqueued: rows.length,
      requested: rows.length,
      priority,
      item_ids: rows.map((row) => row.item_id),
      batch: withoutNulls({
        batch_id: batchId,
        origin: request.origin,
        destination: request.destination,
        data: null,
        graph: request.graph,
        workflow: null,
        runs: request.runs,
      }) as EnqueueBatchResult['batch'],
    }
  }

  const rowIn = (queueId: string, itemId: number) => {
    const row = store.get(itemId)
    if (!row || row.queue_id !== queueId)
      throw notFound(`Queue item with id ${itemId} not found in queue ${queueId}`)
    return row
  }

  /** The REST body of a row: nulls omitted, and sanitized when it is another user's and the viewer no admin. */
  const view = (row: QueueRow, viewer: Identity = systemIdentity) =>
    withoutNulls(structuredClone(seesInFull(viewer, row.user_id) ? row : sanitizedRow(row))) as JsonObject

  /** Cancels a row and, innermost last, the workflow it is waiting for (a child has no use once its parent is gone). */
  const cancelRow = (row: QueueRow) => {
    if (isTerminal(row.status)) return
    store.transition(row, 'canceled')
    emit.status(row, true)
    worker.cancel(row.item_id)
    const child = store.childOf(row.item_id)
    if (child) cancelRow(child)
  }

  return {
    enqueue: (body: unknown, queueId: string, hold: boolean, userId = SYSTEM_USER_ID) =>
      enqueueRequest(parseEnqueueBody(body), queueId, hold, parseUserId(userId, 'user_id')),

    enqueueScenario(name: string, options: ScenarioEnqueueOptions, hold: boolean) {
      const scenario = scenarios.find((s) => s.name === name)
      if (!scenario) throw unprocessable(`unknown scenario ${name}`)
      const request: EnqueueRequest = {
        prepend: options.prepend ?? false,
        graph: parseGraph(scenario.build(parseScenarioParams(options.params))),
        runs: options.runs ?? 1,
        origin: options.origin === undefined ? 'workflows' : options.origin,
        destination: options.destination ?? null,
      }
      if (!Number.isSafeInteger(request.runs) || request.runs < 1 || request.runs > 100) {
        throw unprocessable('runs must be an integer from 1 to 100')
      }
      const userId = parseUserId(options.userId ?? SYSTEM_USER_ID, 'userId')
      return enqueueRequest(request, options.queueId ?? 'default', hold, userId)
    },

    release(itemIds: number[]) {
      store.release(itemIds)
      worker.kick()
    },

    get: (queueId: string, itemId: number, viewer?: Identity) => view(rowIn(queueId, itemId), viewer),

    /** GET …/current: the item being executed now, or null. */
    current(queueId: string, viewer?: Identity) {
      const row = store.current(queueId)
      return row ? view(row, viewer) : null
    },

    /** GET …/item_ids: ids of every user's items (ids carry no data). */
    itemIds(queueId: string, order: 'ASC' | 'DESC') {
      const ids = store.itemIds(queueId, order)
      return { item_ids: ids, total_count: ids.length }
    },

    /** POST …/items_by_ids: the items that exist, in the order asked, each once. */
    itemsByIds(queueId: string, itemIds: number[], viewer?: Identity) {
      return [...new Set(itemIds)]
        .map((id) => store.get(id))
        .filter((row): row is QueueRow => !!row && row.queue_id === queueId)
        .map((row) => view(row, viewer))
    },

    /** PUT …/i/{id}/cancel: `canceled` is sent from here, while the worker may still be running. */
    cancel(queueId: string, itemId: number, viewer?: Identity) {
      const row = rowIn(queueId, itemId)
      cancelRow(row)
      return view(row, viewer)
    },

    /** PUT …/clear: rows are deleted; only `queue_cleared` is sent. */
    clear(queueId: string) {
      const deleted = store.deleteQueue(queueId)
      worker.kill(deleted.map((row) => row.item_id))
      emit.queue(queueId, 'queue_cleared', queueClearedPayload(queueId), { boundary: true })
      return { deleted: deleted.length }
    },

    /** PUT …/cancel_all_except_current: a bulk cancel (6.14), no per-item events. */
    cancelAllExceptCurrent(queueId: string) {
      const pending = store.rows(queueId).filter((row) => row.status === 'pending')
      pending.forEach((row) => store.transition(row, 'canceled'))
      const ids = pending.map((row) => row.item_id)
      // A workflow-call parent pending again is parked in the worker: it stops, and its results are saved.
      ids.forEach((id) => worker.cancel(id))
      emit.queue(queueId, 'queue_items_canceled', queueItemsCanceledPayload(queueId, pending), {
        boundary: true,
        itemIds: ids,
      })
      return { canceled: ids.length }
    },

    /** PUT …/retry_items_by_id: terminal failed/canceled items come back as new rows. */
    retry(queueId: string, itemIds: number[]) {
      const originals = itemIds
        .map((id) => store.get(id))
        .filter((row): row is QueueRow => !!row && row.queue_id === queueId)
        .filter((row) => row.status === 'failed' || row.status === 'canceled')
      for (const original of originals) {
        const request: EnqueueRequest = {
          prepend: false,
          graph: structuredClone(original.session.graph),
          runs: 1,
          origin: original.origin,
          destination: original.destination,
        }
        enqueueRequest(request, queueId, false, original.user_id)
      }
      emit.queue(queueId, 'queue_items_retried', queueItemsRetriedPayload(queueId, originals))
      return { queue_id: queueId, retried_item_ids: originals.map((row) => row.item_id) }
    },

    status(queueId: string) {
      const { user_pending: _p, user_in_progress: _i, ...queue } = store.queueStatus(queueId)
      return withoutNulls({
        queue,
        processor: { is_started: true, is_processing: worker.runningItemId() !== null },
      }) as JsonObject
    },
  }
}
