// What the queue endpoints do, shared by REST and the programmatic API: enqueue, cancel, clear,
// bulk cancel, retry and status. Each emits what the server emits for it.
import type { Emitter } from './emit'
import { notFound, unprocessable } from './errors'
import { parseGraph } from './graph'
import {
  batchEnqueuedPayload,
  formatDate,
  queueClearedPayload,
  queueItemsCanceledPayload,
  queueItemsRetriedPayload,
  withoutNulls,
} from './payloads'
import { isTerminal } from './queue'
import type { QueueStore } from './queue'
import { uuid } from './random'
import { scenarios } from './scenarios'
import type { EnqueueBatchResult, Graph, JsonObject, QueueRow, ScenarioEnqueueOptions } from './types'
import { parseEnqueueBody, parseScenarioParams } from './validate'
import type { EnqueueRequest } from './validate'
import type { createWorker } from './worker'

const USER_ID = 'system'

function emptySession(graph: Graph) {
  return {
    id: uuid(),
    graph,
    execution_graph: { id: uuid(), nodes: {}, edges: [] },
    executed: [],
    executed_history: [],
    results: {},
    errors: {},
    workflow_call_stack: [],
    workflow_call_history: [],
    max_workflow_call_depth: 4,
    prepared_source_mapping: {},
    source_prepared_mapping: {},
    prepared_iteration_paths: {},
    ready_order: [],
    indegree: {},
  }
}

export type Operations = ReturnType<typeof createOperations>

export function createOperations(store: QueueStore, emit: Emitter, worker: ReturnType<typeof createWorker>) {
  /** `hold`: the rows wait for release() before the worker may take them (enqueue response gating). */
  const enqueueRequest = (request: EnqueueRequest, queueId: string, hold: boolean): EnqueueBatchResult => {
    const batchId = uuid()
    const priority = request.prepend ? 1 : 0
    const now = formatDate()
    const rows: QueueRow[] = Array.from({ length: request.runs }, () => {
      const session = emptySession(structuredClone(request.graph))
      return {
        item_id: store.nextItemId(),
        status: 'pending',
        status_sequence: 0,
        priority,
        batch_id: batchId,
        origin: request.origin,
        destination: request.destination,
        session_id: session.id,
        error_type: null,
        error_message: null,
        error_traceback: null,
        created_at: now,
        updated_at: now,
        started_at: null,
        completed_at: null,
        queue_id: queueId,
        user_id: USER_ID,
        session,
      }
    })
    rows.forEach((row) => store.insert(row, hold))
    emit.queue(
      queueId,
      'batch_enqueued',
      batchEnqueuedPayload(queueId, batchId, rows.length, priority, request.origin, USER_ID),
    )
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

  const view = (row: QueueRow) => withoutNulls(structuredClone(row)) as JsonObject

  return {
    enqueue: (body: unknown, queueId: string, hold: boolean) =>
      enqueueRequest(parseEnqueueBody(body), queueId, hold),

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
      return enqueueRequest(request, options.queueId ?? 'default', hold)
    },

    release(itemIds: number[]) {
      store.release(itemIds)
      worker.kick()
    },

    get: (queueId: string, itemId: number) => view(rowIn(queueId, itemId)),

    /** PUT …/i/{id}/cancel: `canceled` is sent from here, while the worker may still be running. */
    cancel(queueId: string, itemId: number) {
      const row = rowIn(queueId, itemId)
      if (!isTerminal(row.status)) {
        store.transition(row, 'canceled')
        emit.status(row, true)
        worker.cancel(itemId)
      }
      return view(row)
    },

    /** PUT …/clear: rows are deleted; only `queue_cleared` is sent. */
    clear(queueId: string) {
      const deleted = store.deleteQueue(queueId)
      worker.kill(deleted.map((row) => row.item_id))
      emit.queue(queueId, 'queue_cleared', queueClearedPayload(queueId), true)
      return { deleted: deleted.length }
    },

    /** PUT …/cancel_all_except_current: a bulk cancel (6.14), no per-item events. */
    cancelAllExceptCurrent(queueId: string) {
      const pending = store.rows(queueId).filter((row) => row.status === 'pending')
      pending.forEach((row) => store.transition(row, 'canceled'))
      const ids = pending.map((row) => row.item_id)
      emit.queue(queueId, 'queue_items_canceled', queueItemsCanceledPayload(queueId, ids, USER_ID), true)
      return { canceled: ids.length }
    },

    /** PUT …/retry_items_by_id: terminal failed/canceled items come back as new rows. */
    retry(queueId: string, itemIds: number[]) {
      const originals = itemIds
        .map((id) => store.get(id))
        .filter((row): row is QueueRow => !!row && row.queue_id === queueId)
        .filter((row) => row.status === 'failed' || row.status === 'canceled')
      const retried: number[] = []
      for (const original of originals) {
        const request: EnqueueRequest = {
          prepend: false,
          graph: structuredClone(original.session.graph),
          runs: 1,
          origin: original.origin,
          destination: original.destination,
        }
        enqueueRequest(request, queueId, false)
        retried.push(original.item_id)
      }
      emit.queue(queueId, 'queue_items_retried', queueItemsRetriedPayload(queueId, retried, USER_ID))
      return { queue_id: queueId, retried_item_ids: retried }
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
