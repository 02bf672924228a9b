import { itemOf, itemsOf } from '../slice/items'
import { isAnyOf } from '@reduxjs/toolkit'
import { isTerminalStatus } from '../model/snapshot'
import type { QueueItemExecution } from '../model/types'
import type { InFlightRegistry } from '../reconciliation/inFlight'
import type { ReconcileQueueItemThunk } from '../reconciliation/types'
import {
  invocationComplete,
  invocationOutputReceived,
  queueCleared,
  queueItemStatusChanged,
  queueItemsCanceled,
  socketConnected,
  socketDisconnected,
} from '../slice/actions'
import { reconcilesOrigin } from '../slice/state'
import { newlyDeliveredOutput, newlyDeliveredOutputs } from './outputs'
import type { EngineListenerApi, StartWorkflowExecutionListening } from './types'

export type * from './types'

export const DEFAULT_CANCELED_RECONCILE_DELAY_MS = 1000

export interface EngineListenerServices {
  reconcileQueueItem: ReconcileQueueItemThunk
  inFlight: InFlightRegistry
  /** Wait before reconciling a canceled item: the server may save its last results a moment late. */
  canceledReconcileDelayMs: number
}

/**
 * Adds the engine's effects to a host store's listener middleware: reconciliation of every item that
 * stops (and of unsettled items after a reconnect), aborting superseded requests, and exactly-once
 * output delivery. Every decision about state stays in the reducer; these only fetch, abort and emit.
 */
export function addWorkflowExecutionListeners(
  startListening: StartWorkflowExecutionListening,
  { reconcileQueueItem, inFlight, canceledReconcileDelayMs: canceledDelayMs }: EngineListenerServices,
): () => void {
  const unsubscribers: (() => void)[] = []

  function reconcile(api: EngineListenerApi, item: QueueItemExecution) {
    const delayMs = item.status === 'canceled' ? canceledDelayMs : 0
    void api.dispatch(reconcileQueueItem({ itemId: item.itemId, delayMs }))
  }

  function reconcileIfStopped(api: EngineListenerApi, itemId: number) {
    const before = itemOf(api.getOriginalState().workflowExecution.items, itemId)
    const after = api.getState().workflowExecution
    const item = itemOf(after.items, itemId)
    if (!item || isTerminalStatus(before?.status ?? null) || !isTerminalStatus(item.status)) return
    if (reconcilesOrigin(after.config, item.origin)) reconcile(api, item)
  }

  unsubscribers.push(
    startListening({
      actionCreator: queueItemStatusChanged,
      effect: (action, api) => {
        if (typeof action.payload?.item_id === 'number') reconcileIfStopped(api, action.payload.item_id)
      },
    }),
    startListening({
      matcher: isAnyOf(queueCleared, queueItemsCanceled),
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
        const item = itemOf(api.getState().workflowExecution.items, itemId)
        const before = itemOf(api.getOriginalState().workflowExecution.items, itemId)
        const payload = item && newlyDeliveredOutput(before, item, preparedId, 'socket')
        if (payload) api.dispatch(invocationOutputReceived(payload))
      },
    }),
    startListening({
      actionCreator: reconcileQueueItem.fulfilled,
      effect: (action, api) => {
        const item = itemOf(api.getState().workflowExecution.items, action.meta.arg.itemId)
        if (!item || action.payload.kind !== 'snapshot') return
        const before = itemOf(api.getOriginalState().workflowExecution.items, action.meta.arg.itemId)
        const { session } = action.payload.snapshot
        const history = session.executed_history ?? session.executed ?? []
        for (const payload of newlyDeliveredOutputs(before, item, history))
          api.dispatch(invocationOutputReceived(payload))
      },
    }),
    startListening({
      actionCreator: reconcileQueueItem.pending,
      effect: (action) => inFlight.abortItem(action.meta.arg.itemId, 'superseded', action.meta.requestId),
    }),
    startListening({
      predicate: (_action, current, original) =>
        current.workflowExecution.evictionCount !== original.workflowExecution.evictionCount,
      effect: (_action, api) => {
        const { items } = api.getState().workflowExecution
        for (const itemId of inFlight.itemIds())
          if (!itemOf(items, itemId)) inFlight.abortItem(itemId, 'evicted')
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
        for (const item of itemsOf(items)) {
          // A request the disconnect aborted may not have reported back yet: anything short of 'done'.
          const unresolved = !item.settled || item.reconciliation.phase !== 'done'
          if (unresolved && reconcilesOrigin(config, item.origin)) reconcile(api, item)
        }
      },
    }),
  )

  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe()
    inFlight.abortAll('unsubscribed')
  }
}
