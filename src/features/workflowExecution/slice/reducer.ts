import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import { itemOf } from './items'
import { reconciliationAttemptFailed } from '../reconciliation/actions'
import type {
  HydrateQueueResult,
  HydrateQueueThunk,
  ReconcileQueueItemResult,
  ReconcileQueueItemThunk,
} from '../reconciliation/types'
import { REDACTED } from '../model/guards'
import { hydratedInOrder } from '../reconciliation/hydration'
import type { ModelEvent } from '../model/types'
import { validateSocketEvent } from '../wire'
import { persistedRunOfQueueItem } from '../wire/persisted'
import type { SocketEventName, SocketEventPayloads } from '../wire/types'
import {
  batchEnqueued,
  currentUserChanged,
  eventRejected,
  invocationComplete,
  invocationError,
  invocationOutputReceived,
  invocationProgress,
  invocationStarted,
  queueCleared,
  queueItemsCanceled,
  queueItemStatusChanged,
  queueItemsRetried,
  socketConnected,
  socketDisconnected,
} from './actions'
import { completeEvent, errorEvent, progressEvent, startedEvent, statusEvent } from './events'
import { withoutForeignRuns } from './activeItems'
import { applyItemEvent, cancelItems, trackedItemIds } from './reducers'
import { createInitialState } from './state'
import type { WorkflowExecutionState } from './state'

type EngineAction =
  | ReturnType<typeof queueItemStatusChanged>
  | ReturnType<typeof invocationStarted>
  | ReturnType<typeof invocationProgress>
  | ReturnType<typeof invocationComplete>
  | ReturnType<typeof invocationError>
  | ReturnType<typeof batchEnqueued>
  | ReturnType<typeof queueCleared>
  | ReturnType<typeof queueItemsCanceled>
  | ReturnType<typeof queueItemsRetried>
  | ReturnType<typeof socketConnected>
  | ReturnType<typeof socketDisconnected>
  | ReturnType<typeof eventRejected>
  | ReturnType<typeof invocationOutputReceived>
  | ReturnType<typeof reconciliationAttemptFailed>
  | ReturnType<typeof currentUserChanged>

const ENGINE_ACTION_TYPES: ReadonlySet<string> = new Set<EngineAction['type']>([
  queueItemStatusChanged.type,
  invocationStarted.type,
  invocationProgress.type,
  invocationComplete.type,
  invocationError.type,
  batchEnqueued.type,
  queueCleared.type,
  queueItemsCanceled.type,
  queueItemsRetried.type,
  socketConnected.type,
  socketDisconnected.type,
  eventRejected.type,
  invocationOutputReceived.type,
  reconciliationAttemptFailed.type,
  currentUserChanged.type,
])

/**
 * The payload as the model may read it, or null. An action the engine's socket binding validated carries
 * the engine's own mark (a symbol: DevTools and serializability checks do not see it) and is not parsed
 * twice; any other (a hand-dispatched action, a DevTools replay) is checked here, so a bad action still
 * changes nothing and never throws.
 */
type Check = <K extends SocketEventName>(event: K, action: EngineAction) => SocketEventPayloads[K] | null

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

function reduceEngineAction(
  state: WorkflowExecutionState,
  action: EngineAction,
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
    case currentUserChanged.type: {
      const userId = action.payload?.userId
      if (userId !== null && typeof userId !== 'string') return state
      const config = { ...state.config, currentUserId: userId }
      if (action.payload.reset === true)
        return { ...createInitialState(config), connected: state.connected, clock: state.clock }
      const next = { ...state, config }
      return { ...next, activeItemIdByOrigin: withoutForeignRuns(next, userId) }
    }
    case socketConnected.type:
      return { ...state, connected: true }
    case socketDisconnected.type:
      return { ...state, connected: false }
    case invocationOutputReceived.type: {
      // The engine's own announcement was recorded with the event that delivered it (`meta.recorded`,
      // which a DevTools replay keeps); one a host dispatches by hand goes through O1/O2.
      if ((action as { meta?: { recorded?: unknown } }).meta?.recorded === true) return state
      const { itemId, preparedId } = (action.payload ?? {}) as Partial<typeof action.payload>
      if (typeof itemId !== 'number' || typeof preparedId !== 'string') return state
      return applyItemEvent(state, itemId, { kind: 'deliver', preparedId })
    }
    case reconciliationAttemptFailed.type:
      if (typeof action.payload?.itemId !== 'number') return state
      return applyItemEvent(state, action.payload.itemId, {
        kind: 'reconcile_failed',
        requestId: action.payload.requestId,
        error: action.payload.error,
        final: false,
      })
    // Known events that change no state of the engine's own.
    case batchEnqueued.type:
    case queueItemsRetried.type:
    case eventRejected.type:
      return state
  }
}

function resultEvent(
  requestId: string,
  result: ReconcileQueueItemResult,
  trustSequence: boolean,
): ModelEvent {
  if (result.kind === 'gone') return { kind: 'snapshot_gone', requestId }
  const snapshot = result.kind === 'run' ? result.run : persistedRunOfQueueItem(result.snapshot)
  return { kind: 'snapshot', requestId, snapshot, trustSequence }
}

/** Bundlers replace `process.env.NODE_ENV`; without one, `process` may not exist (development then). */
function isProduction(): boolean {
  try {
    return process.env.NODE_ENV === 'production'
  } catch {
    return false
  }
}

/**
 * In development, freezes what a case created, shallowly, so state cannot be mutated by accident: the
 * state, its item index and the items it rewrote (never a payload, never by walking). Production skips
 * it: copying from frozen objects is several times slower, and RTK's immutability check covers
 * development.
 */
function freezeCreated(next: WorkflowExecutionState, previous: WorkflowExecutionState): void {
  Object.freeze(next)
  if (next.items !== previous.items) {
    Object.freeze(next.items)
    Object.freeze(next.items.ids)
    for (const id of next.items.ids) {
      const item = itemOf(next.items, id)
      if (item && item !== itemOf(previous.items, id)) Object.freeze(item)
    }
  }
}

/**
 * The engine's reducer: one plain function over its own actions and its thunk's, without immer (every
 * case builds the next state from unshared copies with the pure model, so drafts would only add cost).
 * A payload that fails its schema leaves the state as it was: a bad action never throws.
 */
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

export function createWorkflowExecutionReducer(
  initialState: WorkflowExecutionState,
  thunks: { reconcileQueueItem: ReconcileQueueItemThunk; hydrateQueue?: HydrateQueueThunk },
  validatedMark: symbol = Symbol('validated'),
): Reducer<WorkflowExecutionState> {
  const { pending, fulfilled, rejected } = thunks.reconcileQueueItem
  const hydrated = thunks.hydrateQueue?.fulfilled
  const checked = checkerOf(validatedMark)
  const reduce = (state: WorkflowExecutionState, action: UnknownAction): WorkflowExecutionState => {
    if (ENGINE_ACTION_TYPES.has(action.type))
      return reduceEngineAction(state, action as EngineAction, checked)
    if (hydrated?.match(action)) return onHydrated(state, action.payload)
    if (pending.match(action))
      return applyItemEvent(state, action.meta.arg.itemId, {
        kind: 'reconcile_requested',
        requestId: action.meta.requestId,
      })
    if (fulfilled.match(action))
      return applyItemEvent(
        state,
        action.meta.arg.itemId,
        resultEvent(action.meta.requestId, action.payload, action.meta.arg.trustSequence === true),
      )
    if (rejected.match(action)) {
      // condition() said no: the thunk never started, nothing to record.
      if (action.meta.condition) return state
      const requestId = action.meta.requestId
      return applyItemEvent(
        state,
        action.meta.arg.itemId,
        action.meta.aborted
          ? { kind: 'reconcile_aborted', requestId }
          : {
              kind: 'reconcile_failed',
              requestId,
              error: action.payload?.error ?? action.error.message ?? 'reconciliation failed',
              final: true,
            },
      )
    }
    return state
  }
  // Read once: `process.env` is a slow getter in Node, and the mode does not change under a store.
  const freezes = !isProduction()
  return (state = initialState, action) => {
    const next = reduce(state, action)
    if (freezes && next !== state) freezeCreated(next, state)
    return next
  }
}
