import { isAnyOf } from '@reduxjs/toolkit'
import { isTerminalStatus } from '../model/snapshot'
import type { QueueItemExecution } from '../model/types'
import { createReconcileQueueItem } from '../reconciliation'
import {
  executionConfigured,
  invocationComplete,
  invocationOutputReceived,
  queueCleared,
  queueItemStatusChanged,
  queueItemsCanceled,
  socketConnected,
  socketDisconnected,
} from '../slice'
import type { WithWorkflowExecution } from '../slice/selectors'
import { reconcilesOrigin, type WorkflowExecutionConfig } from '../slice/state'
import { undeliveredOutput, undeliveredOutputs } from './outputs'
import { createInFlightRegistry, type InFlightRegistry } from './registry'
import type { ReconcileQueueItemArg } from '../reconciliation/types'
import type {
  EngineDispatch,
  EngineListenerApi,
  StartWorkflowExecutionListening,
  WorkflowExecutionListenerOptions,
} from './types'

export type * from './types'

type ReconcileThunk = ReturnType<typeof createReconcileQueueItem>

/**
 * The thunk, wrapped so that every request it starts (from the listeners or from the host) is known to
 * this engine and can be aborted when superseded, evicted or disconnected.
 */
function trackedReconcileQueueItem(thunk: ReconcileThunk, inFlight: InFlightRegistry) {
  const tracked =
    (arg: ReconcileQueueItemArg) =>
    (dispatch: EngineDispatch, ...rest: ThunkRest) => {
      const request = thunk(arg)(dispatch, ...rest)
      inFlight.add(arg.itemId, request.requestId, request)
      void request.finally(() => inFlight.remove(request.requestId))
      return request
    }
  return Object.assign(tracked, {
    pending: thunk.pending,
    fulfilled: thunk.fulfilled,
    rejected: thunk.rejected,
    settled: thunk.settled,
    typePrefix: thunk.typePrefix,
  })
}

type ThunkRest = Parameters<ReturnType<ReconcileThunk>> extends [unknown, ...infer R] ? R : never

export const DEFAULT_CANCELED_RECONCILE_DELAY_MS = 1000

function stateConfigOf(options: WorkflowExecutionListenerOptions): Partial<WorkflowExecutionConfig> {
  const config: Partial<WorkflowExecutionConfig> = {}
  if (options.reconcileOrigins !== undefined) config.reconcileOrigins = options.reconcileOrigins
  if (options.currentUserId !== undefined) config.currentUserId = options.currentUserId
  if (options.queueId !== undefined) config.queueId = options.queueId
  if (options.baseUrl !== undefined) config.baseUrl = options.baseUrl
  return config
}

/**
 * Adds the engine's effects to a host store's listener middleware: reconciliation of every item that
 * stops (and of unsettled items after a reconnect), aborting superseded requests, and exactly-once
 * output delivery. Every decision about state stays in the reducer; these only fetch, abort and emit.
 */
export function addWorkflowExecutionListeners(
  startListening: StartWorkflowExecutionListening,
  options: WorkflowExecutionListenerOptions = {},
) {
  const inFlight = createInFlightRegistry()
  const reconcileQueueItem = trackedReconcileQueueItem(createReconcileQueueItem(options), inFlight)
  const canceledDelayMs = options.canceledReconcileDelayMs ?? DEFAULT_CANCELED_RECONCILE_DELAY_MS
  const stateConfig = stateConfigOf(options)
  const unsubscribers: (() => void)[] = []

  function reconcile(api: EngineListenerApi, item: QueueItemExecution) {
    const delayMs = item.status === 'canceled' ? canceledDelayMs : 0
    void api.dispatch(reconcileQueueItem({ itemId: item.itemId, delayMs }))
  }

  function reconcileIfStopped(api: EngineListenerApi, itemId: number) {
    const before = api.getOriginalState().workflowExecution.items.entities[itemId]
    const after = api.getState().workflowExecution
    const item = after.items.entities[itemId]
    if (!item || isTerminalStatus(before?.status ?? null) || !isTerminalStatus(item.status)) return
    if (reconcilesOrigin(after.config, item.origin)) reconcile(api, item)
  }

  // The options that shape state go into the store once, before the first event is reduced with them.
  if (Object.keys(stateConfig).length > 0) {
    unsubscribers.push(
      startListening({
        predicate: (action) => action.type !== executionConfigured.type,
        effect: (_action, api) => {
          api.unsubscribe()
          api.dispatch(executionConfigured(stateConfig))
        },
      }),
    )
  }

  unsubscribers.push(
    startListening({
      actionCreator: queueItemStatusChanged,
      effect: (action, api) => {
        if (typeof action.payload?.item_id === 'number') reconcileIfStopped(api, action.payload.item_id)
      },
    }),
    startListening({
      matcher: isAnyOf(queueCleared, queueItemsCanceled, executionConfigured),
      effect: (_action, api) => {
        for (const id of api.getState().workflowExecution.items.ids) reconcileIfStopped(api, id)
      },
    }),
    startListening({
      actionCreator: invocationComplete,
      effect: (action, api) => {
        const itemId = action.payload?.item_id
        const preparedId = action.payload?.invocation?.id
        if (typeof itemId !== 'number' || typeof preparedId !== 'string') return
        const item = api.getState().workflowExecution.items.entities[itemId]
        const payload = item && undeliveredOutput(item, preparedId, 'socket')
        if (payload) api.dispatch(invocationOutputReceived(payload))
      },
    }),
    startListening({
      actionCreator: reconcileQueueItem.fulfilled,
      effect: (action, api) => {
        const item = api.getState().workflowExecution.items.entities[action.meta.arg.itemId]
        if (!item || action.payload.kind !== 'snapshot') return
        const { session } = action.payload.snapshot
        const history = session.executed_history ?? session.executed ?? []
        for (const payload of undeliveredOutputs(item, history))
          api.dispatch(invocationOutputReceived(payload))
      },
    }),
    startListening({
      // Forget a request as soon as its result is reduced, not a microtask later.
      matcher: isAnyOf(reconcileQueueItem.fulfilled, reconcileQueueItem.rejected),
      effect: (action) =>
        inFlight.remove((action as unknown as { meta: { requestId: string } }).meta.requestId),
    }),
    startListening({
      actionCreator: reconcileQueueItem.pending,
      effect: (action) => inFlight.abortItem(action.meta.arg.itemId, 'superseded', action.meta.requestId),
    }),
    startListening({
      predicate: (_action, current, original) =>
        current.workflowExecution.evictionCount !== original.workflowExecution.evictionCount,
      effect: (_action, api) => {
        const { entities } = api.getState().workflowExecution.items
        for (const itemId of inFlight.itemIds()) if (!entities[itemId]) inFlight.abortItem(itemId, 'evicted')
      },
    }),
    startListening({
      actionCreator: socketDisconnected,
      effect: () => inFlight.abortAll('disconnected'),
    }),
    startListening({
      actionCreator: socketConnected,
      effect: (_action, api) => {
        // Nothing missed while disconnected is replayed: ask the server about every item it has not yet
        // answered for (unsettled, or settled only because its retries ran out).
        const { items, config } = api.getState().workflowExecution
        for (const id of items.ids) {
          const item = items.entities[id] as QueueItemExecution
          // A request the disconnect aborted may not have reported back yet: anything short of 'done'.
          const unresolved = !item.settled || item.reconciliation.phase !== 'done'
          if (unresolved && reconcilesOrigin(config, item.origin)) reconcile(api, item)
        }
      },
    }),
  )

  return {
    /** The reconciliation thunk bound to this engine's fetch and retry options. */
    reconcileQueueItem,
    /** Requests in flight right now (for tests and diagnostics). */
    inFlightCount: () => inFlight.size(),
    unsubscribe: () => {
      for (const unsubscribe of unsubscribers) unsubscribe()
      inFlight.abortAll('unsubscribed')
    },
  }
}

export type WorkflowExecutionEngine = ReturnType<typeof addWorkflowExecutionListeners>
export type { WithWorkflowExecution }
