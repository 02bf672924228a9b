import { itemOf, itemsOf } from '../../features/workflowExecution/slice/items'
import { isAnyOf } from '@reduxjs/toolkit'
import { isUnresolved } from '../../features/workflowExecution/model/guards'
import { isTerminalStatus } from '../../features/workflowExecution/model/snapshot'
import type { QueueItemExecution } from '../../features/workflowExecution/model/types'
import { hydratedInOrder, QUEUE_REQUEST_KEY } from '../reconciliation/hydration'
import type { InFlightRegistry } from '../../features/workflowExecution/reconciliation/inFlight'
import type { ReconcileQueueItemThunk } from '../reconciliation/types'
import type { HydrateQueueThunk } from '../reconciliation/types'
import { recentDecisions } from '../../features/workflowExecution/model/decisions'
import type { WithWorkflowExecution } from '../../features/workflowExecution/slice/selectors'
import type { InvocationOutputReceivedPayload } from '../../features/workflowExecution/slice/types'
import {
  currentUserChanged,
  invocationOutputReceived,
  socketConnected,
  socketDisconnected,
} from '../../features/workflowExecution/slice/actions'
import { queueItemsCanceled } from '../slice/actions'
import { queueItemStatusChanged } from '../slice/actions'
import { queueCleared } from '../slice/actions'
import { invocationStarted } from '../slice/actions'
import { invocationProgress } from '../slice/actions'
import { invocationError } from '../slice/actions'
import { invocationComplete } from '../slice/actions'
import { reconcilesOrigin } from '../../features/workflowExecution/slice/state'
import {
  newlyDeliveredOutput,
  newlyDeliveredOutputs,
} from '../../features/workflowExecution/listeners/outputs'
import type {
  EngineListenerApi,
  StartWorkflowExecutionListening,
} from '../../features/workflowExecution/listeners/types'

export type * from '../../features/workflowExecution/listeners/types'

export const DEFAULT_CANCELED_RECONCILE_DELAY_MS = 1000

const isItemEvent = isAnyOf(
  queueItemStatusChanged,
  invocationStarted,
  invocationProgress,
  invocationComplete,
  invocationError,
)

/** The item `itemId` if this action stopped it (or a stale terminal status was called on it): to reconcile. */
function stoppedItem(
  original: WithWorkflowExecution,
  current: WithWorkflowExecution,
  itemId: number,
): { item: QueueItemExecution; trustSequence: boolean } | null {
  const after = current.workflowExecution
  const item = itemOf(after.items, itemId)
  if (!item || !reconcilesOrigin(after.config, item.origin)) return null
  // Q6b: a terminal status the sequence called stale while the item runs: the server decides.
  if (recentDecisions(item.decisions).at(-1)?.rule === 'Q6b' && !item.settled)
    return { item, trustSequence: true }
  const before = itemOf(original.workflowExecution.items, itemId)
  return !isTerminalStatus(before?.status ?? null) && isTerminalStatus(item.status)
    ? { item, trustSequence: false }
    : null
}

export interface EngineListenerServices {
  reconcileQueueItem: ReconcileQueueItemThunk
  hydrateQueue: HydrateQueueThunk
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
  {
    reconcileQueueItem,
    hydrateQueue,
    inFlight,
    canceledReconcileDelayMs: canceledDelayMs,
  }: EngineListenerServices,
): () => void {
  const unsubscribers: (() => void)[] = []

  /** The engine's own announcement: recorded with the event that delivered it (serializable, replayable). */
  function announce(api: EngineListenerApi, payload: InvocationOutputReceivedPayload) {
    api.dispatch({ ...invocationOutputReceived(payload), meta: { recorded: true } })
  }

  function hydrate(api: EngineListenerApi) {
    const limit = api.getState().workflowExecution.config.hydrateRecentItems
    if (limit !== null) void api.dispatch(hydrateQueue({ limit }))
  }

  function reconcile(api: EngineListenerApi, item: QueueItemExecution, trustSequence = false) {
    const delayMs = item.status === 'canceled' ? canceledDelayMs : 0
    void api.dispatch(
      reconcileQueueItem({ itemId: item.itemId, delayMs, ...(trustSequence ? { trustSequence } : {}) }),
    )
  }

  function reconcileIfStopped(api: EngineListenerApi, itemId: number) {
    const stopped = stoppedItem(api.getOriginalState(), api.getState(), itemId)
    if (stopped) reconcile(api, stopped.item, stopped.trustSequence)
  }

  /** An entity replaced by a new run under its id (N2, R6, H1): the old run's request is void. */
  function abortIfReplaced(api: EngineListenerApi, itemId: number, keep?: string) {
    const before = itemOf(api.getOriginalState().workflowExecution.items, itemId)
    const after = itemOf(api.getState().workflowExecution.items, itemId)
    if (before && after && before.sessionId !== null && before.sessionId !== after.sessionId)
      inFlight.abortItem(itemId, 'replaced by a new run', keep)
  }

  unsubscribers.push(
    startListening({
      // Decided in the predicate (pure): a status event that stops nothing costs no effect run.
      predicate: (action, current, original) =>
        queueItemStatusChanged.match(action) &&
        typeof action.payload?.item_id === 'number' &&
        stoppedItem(original, current, action.payload.item_id) !== null,
      effect: (action, api) => reconcileIfStopped(api, (action.payload as { item_id: number }).item_id),
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
        if (payload) announce(api, payload)
      },
    }),
    startListening({
      actionCreator: reconcileQueueItem.fulfilled,
      effect: (action, api) => {
        const item = itemOf(api.getState().workflowExecution.items, action.meta.arg.itemId)
        const result = action.payload
        if (!item || result.kind === 'gone') return
        const before = itemOf(api.getOriginalState().workflowExecution.items, action.meta.arg.itemId)
        const history =
          result.kind === 'run'
            ? result.run.executionOrder
            : (result.snapshot.session.executed_history ?? result.snapshot.session.executed ?? [])
        for (const payload of newlyDeliveredOutputs(before, item, history, 'reconciliation'))
          announce(api, payload)
      },
    }),
    startListening({
      actionCreator: hydrateQueue.fulfilled,
      effect: (action, api) => {
        for (const snapshot of hydratedInOrder(action.payload)) {
          abortIfReplaced(api, snapshot.item_id)
          const item = itemOf(api.getState().workflowExecution.items, snapshot.item_id)
          if (!item) continue
          const before = itemOf(api.getOriginalState().workflowExecution.items, snapshot.item_id)
          const { session } = snapshot
          const history = session.executed_history ?? session.executed ?? []
          for (const payload of newlyDeliveredOutputs(before, item, history, 'hydration'))
            announce(api, payload)
        }
      },
    }),
    startListening({
      // A socket event that started a new run under a tracked id (N2); checked without an effect per event.
      predicate: (action, current, original) => {
        if (!isItemEvent(action)) return false
        const itemId = (action.payload as { item_id?: unknown } | undefined)?.item_id
        if (typeof itemId !== 'number') return false
        const before = itemOf(original.workflowExecution.items, itemId)
        const after = itemOf(current.workflowExecution.items, itemId)
        return before !== undefined && before.sessionId !== null && before.sessionId !== after?.sessionId
      },
      effect: (action) => {
        inFlight.abortItem((action.payload as { item_id: number }).item_id, 'replaced by a new run')
      },
    }),
    startListening({
      actionCreator: currentUserChanged,
      effect: (action, api) => {
        if (action.payload?.reset !== true) return
        inFlight.abortAll('user changed')
        if (api.getState().workflowExecution.connected) hydrate(api)
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
          if (itemId !== QUEUE_REQUEST_KEY && !itemOf(items, itemId)) inFlight.abortItem(itemId, 'evicted')
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
        for (const item of itemsOf(items))
          // Events were missed while disconnected: the server's persisted sequence is the one to trust.
          if (isUnresolved(item) && reconcilesOrigin(config, item.origin)) reconcile(api, item, true)
        // What ran while this client was away (or before it ever connected).
        hydrate(api)
      },
    }),
  )

  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe()
    inFlight.abortAll('unsubscribed')
  }
}
