import type { Reducer, UnknownAction } from '@reduxjs/toolkit'
import type { ModelEvent, PersistedRun } from '../model/types'
import { reconciliationAttemptFailed } from '../reconciliation/actions'
import type { EngineReconcileThunk } from '../reconciliation/types'
import { withoutForeignRuns } from './activeItems'
import {
  currentUserChanged,
  eventRejected,
  invocationOutputReceived,
  socketConnected,
  socketDisconnected,
} from './actions'
import { itemOf } from './items'
import { applyItemEvent } from './reducers'
import { createInitialState, type WorkflowExecutionState } from './state'

/**
 * One protocol's part of the reducer: the next state for an action of its own, or undefined for any
 * other action (the engine's reducer then takes it).
 */
export type ReducerFront = (
  state: WorkflowExecutionState,
  action: UnknownAction,
) => WorkflowExecutionState | undefined

/** An adapter's own reconciliation answer, as the model applies it (null: not one of its own). */
export type RunOfResult<Result> = (result: Result) => PersistedRun | null

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

function resultEvent<Result>(
  requestId: string,
  result: Result,
  trustSequence: boolean,
  runOf: RunOfResult<Result>,
): ModelEvent | null {
  const known = result as { kind?: unknown; run?: PersistedRun }
  if (known.kind === 'gone') return { kind: 'snapshot_gone', requestId }
  const snapshot = known.kind === 'run' && known.run ? known.run : runOf(result)
  return snapshot ? { kind: 'snapshot', requestId, snapshot, trustSequence } : null
}

/** The engine's own actions, whatever the protocol. */
function reduceCoreAction(
  state: WorkflowExecutionState,
  action: UnknownAction,
): WorkflowExecutionState | undefined {
  if (currentUserChanged.match(action)) {
    const userId = action.payload?.userId
    if (userId !== null && typeof userId !== 'string') return state
    const config = { ...state.config, currentUserId: userId }
    if (action.payload.reset === true)
      return { ...createInitialState(config), connected: state.connected, clock: state.clock }
    const next = { ...state, config }
    return { ...next, activeItemIdByOrigin: withoutForeignRuns(next, userId) }
  }
  if (socketConnected.match(action)) return { ...state, connected: true }
  if (socketDisconnected.match(action)) return { ...state, connected: false }
  if (invocationOutputReceived.match(action)) {
    // The engine's own announcement was recorded with the event that delivered it (`meta.recorded`,
    // which a DevTools replay keeps); one a host dispatches by hand goes through O1/O2.
    if ((action as { meta?: { recorded?: unknown } }).meta?.recorded === true) return state
    const { itemId, preparedId } = (action.payload ?? {}) as Partial<typeof action.payload>
    if (typeof itemId !== 'number' || typeof preparedId !== 'string') return state
    return applyItemEvent(state, itemId, { kind: 'deliver', preparedId })
  }
  if (reconciliationAttemptFailed.match(action)) {
    if (typeof action.payload?.itemId !== 'number') return state
    return applyItemEvent(state, action.payload.itemId, {
      kind: 'reconcile_failed',
      requestId: action.payload.requestId,
      error: action.payload.error,
      final: false,
    })
  }
  // A rejected payload changes no state.
  if (eventRejected.match(action)) return state
  return undefined
}

/**
 * The engine's reducer: one plain function over the protocol's actions (its front), the engine's own and
 * its reconciliation thunk's, without immer (every case builds the next state from unshared copies with
 * the pure model, so drafts would only add cost). A payload that fails its schema leaves the state as it
 * was: a bad action never throws.
 */
export function createEngineReducer<Result>(
  initialState: WorkflowExecutionState,
  {
    reconcile,
    runOf,
    front,
  }: { reconcile: EngineReconcileThunk<Result>; runOf: RunOfResult<Result>; front: ReducerFront },
): Reducer<WorkflowExecutionState> {
  const { pending, fulfilled, rejected } = reconcile
  const reduce = (state: WorkflowExecutionState, action: UnknownAction): WorkflowExecutionState => {
    const byFront = front(state, action)
    if (byFront !== undefined) return byFront
    const byCore = reduceCoreAction(state, action)
    if (byCore !== undefined) return byCore
    if (pending.match(action))
      return applyItemEvent(state, action.meta.arg.itemId, {
        kind: 'reconcile_requested',
        requestId: action.meta.requestId,
      })
    if (fulfilled.match(action)) {
      const event = resultEvent(
        action.meta.requestId,
        action.payload as Result,
        action.meta.arg.trustSequence === true,
        runOf,
      )
      return event ? applyItemEvent(state, action.meta.arg.itemId, event) : state
    }
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
