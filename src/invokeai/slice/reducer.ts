import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import { REDACTED } from '../../features/workflowExecution/model/guards'
import type { ModelEvent } from '../../features/workflowExecution/model/types'
import { createEngineReducer, type ReducerFront } from '../../features/workflowExecution/slice/reducer'
import { applyItemEvent, cancelItems, trackedItemIds } from '../../features/workflowExecution/slice/reducers'
import type { WorkflowExecutionState } from '../../features/workflowExecution/slice/state'
import type {
  HydrateQueueResult,
  HydrateQueueThunk,
  ReconcileQueueItemResult,
  ReconcileQueueItemThunk,
} from '../reconciliation/types'
import { hydratedInOrder } from '../reconciliation/hydration'
import { validateSocketEvent } from '../wire'
import { persistedRunOfQueueItem } from '../wire/persisted'
import type { SocketEventName, SocketEventPayloads } from '../wire/types'
import {
  batchEnqueued,
  invocationComplete,
  invocationError,
  invocationProgress,
  invocationStarted,
  queueCleared,
  queueItemsCanceled,
  queueItemStatusChanged,
  queueItemsRetried,
} from './actions'
import { completeEvent, errorEvent, progressEvent, startedEvent, statusEvent } from './events'

type InvokeAiAction =
  | ReturnType<typeof queueItemStatusChanged>
  | ReturnType<typeof invocationStarted>
  | ReturnType<typeof invocationProgress>
  | ReturnType<typeof invocationComplete>
  | ReturnType<typeof invocationError>
  | ReturnType<typeof batchEnqueued>
  | ReturnType<typeof queueCleared>
  | ReturnType<typeof queueItemsCanceled>
  | ReturnType<typeof queueItemsRetried>

const INVOKEAI_ACTION_TYPES: ReadonlySet<string> = new Set<InvokeAiAction['type']>([
  queueItemStatusChanged.type,
  invocationStarted.type,
  invocationProgress.type,
  invocationComplete.type,
  invocationError.type,
  batchEnqueued.type,
  queueCleared.type,
  queueItemsCanceled.type,
  queueItemsRetried.type,
])

/**
 * The payload as the model may read it, or null. An action the engine's socket binding validated carries
 * the engine's own mark (a symbol: DevTools and serializability checks do not see it) and is not parsed
 * twice; any other (a hand-dispatched action, a DevTools replay) is checked here, so a bad action still
 * changes nothing and never throws.
 */
type Check = <K extends SocketEventName>(event: K, action: InvokeAiAction) => SocketEventPayloads[K] | null

function checkerOf(validatedMark: symbol): Check {
  return (event, action) => {
    if ((action as unknown as Record<symbol, unknown>)[validatedMark] === true)
      return action.payload as SocketEventPayloads[typeof event]
    const result = validateSocketEvent(event, action.payload)
    return result.ok ? result.value : null
  }
}

function onItemEvent<P extends { item_id: number }>(
  state: WorkflowExecutionState,
  payload: P | null,
  toModel: (payload: P) => ModelEvent,
): WorkflowExecutionState {
  return payload ? applyItemEvent(state, payload.item_id, toModel(payload)) : state
}

function reduceSocketAction(
  state: WorkflowExecutionState,
  action: InvokeAiAction,
  checked: Check,
): WorkflowExecutionState {
  switch (action.type) {
    case queueItemStatusChanged.type:
      return onItemEvent(state, checked('queue_item_status_changed', action), statusEvent)
    case invocationStarted.type:
      return onItemEvent(state, checked('invocation_started', action), startedEvent)
    case invocationProgress.type:
      return onItemEvent(state, checked('invocation_progress', action), progressEvent)
    case invocationComplete.type:
      return onItemEvent(state, checked('invocation_complete', action), completeEvent)
    case invocationError.type:
      return onItemEvent(state, checked('invocation_error', action), errorEvent)
    case queueCleared.type: {
      const payload = checked('queue_cleared', action)
      if (!payload) return state
      // Every tracked item hears it; C3 (another queue) and C2 (another user) decide per item.
      return cancelItems(state, trackedItemIds(state), {
        kind: 'cancel',
        cause: 'queue_cleared',
        queueId: payload.queue_id,
        userId: payload.user_id ?? null,
        currentUserId: state.config.currentUserId,
      })
    }
    case queueItemsCanceled.type: {
      const payload = checked('queue_items_canceled', action)
      if (!payload) return state
      return cancelItems(state, payload.canceled_item_ids, {
        kind: 'cancel',
        cause: 'queue_items_canceled',
        queueId: payload.queue_id,
      })
    }
    // Known events that change no state of the engine's own.
    case batchEnqueued.type:
    case queueItemsRetried.type:
      return state
  }
}

/** The server's list on connect, oldest first and the running item last (it is the current run). */
function onHydrated(state: WorkflowExecutionState, result: HydrateQueueResult): WorkflowExecutionState {
  let next = state
  for (const snapshot of hydratedInOrder(result))
    next = applyItemEvent(next, snapshot.item_id, {
      kind: 'hydrated',
      snapshot: persistedRunOfQueueItem(snapshot),
      redacted: snapshot.user_id === REDACTED,
    })
  return next
}

/** InvokeAI's answer to a reconciliation: its persisted queue item, read as the model's PersistedRun. */
const runOfResult = (result: ReconcileQueueItemResult) =>
  result.kind === 'snapshot' ? persistedRunOfQueueItem(result.snapshot) : null

/**
 * The InvokeAI engine's reducer: InvokeAI's socket actions and its hydration, in front of the engine's
 * reducer (the engine's own actions, the reconciliation thunk's lifecycle).
 */
export function createWorkflowExecutionReducer(
  initialState: WorkflowExecutionState,
  thunks: { reconcileQueueItem: ReconcileQueueItemThunk; hydrateQueue?: HydrateQueueThunk },
  validatedMark: symbol = Symbol('validated'),
): Reducer<WorkflowExecutionState> {
  const hydrated = thunks.hydrateQueue?.fulfilled
  const checked = checkerOf(validatedMark)
  const front: ReducerFront = (state, action: UnknownAction) => {
    if (INVOKEAI_ACTION_TYPES.has(action.type))
      return reduceSocketAction(state, action as InvokeAiAction, checked)
    if (hydrated?.match(action)) return onHydrated(state, action.payload)
    return undefined
  }
  return createEngineReducer(initialState, {
    reconcile: thunks.reconcileQueueItem,
    runOf: runOfResult,
    front,
  })
}
