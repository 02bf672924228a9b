import {
  createSlice,
  isDraft,
  original,
  prepareAutoBatched,
  type PayloadAction,
  type UnknownAction,
} from '@reduxjs/toolkit'
import { reconcileQueueItem, reconciliationAttemptFailed } from '../reconciliation'
import type { ReconcileQueueItemResult } from '../reconciliation/types'
import type { ModelEvent } from '../model/types'
import { withKey } from '../model/records'
import { validateSocketEvent, type ValidationIssue } from '../wire'
import type {
  BatchEnqueuedEvent,
  InvocationCompleteEvent,
  InvocationErrorEvent,
  InvocationOutput,
  InvocationProgressEvent,
  InvocationStartedEvent,
  QueueClearedEvent,
  QueueItemStatusChangedEvent,
  QueueItemsCanceledEvent,
  QueueItemsRetriedEvent,
  SocketEventName,
} from '../wire/types'
import { completeEvent, errorEvent, progressEvent, startedEvent, statusEvent } from './events'
import { applyItemEvent, cancelItems, withConfig } from './reducers'
import { createInitialState, type WorkflowExecutionConfig, type WorkflowExecutionState } from './state'

export * from './state'
export * from './selectors'

/*
 * Reducers here compute the next state from the plain (non-draft) state with the pure model and return
 * it. A payload that fails its schema leaves the state as it was: a bad action never throws.
 */
function plain(state: WorkflowExecutionState): WorkflowExecutionState {
  return isDraft(state) ? (original(state) as WorkflowExecutionState) : state
}

function onSocketEvent<K extends SocketEventName, P>(
  event: K,
  reduce: (state: WorkflowExecutionState, payload: P) => WorkflowExecutionState,
) {
  return (state: WorkflowExecutionState, action: PayloadAction<P>) => {
    const checked = validateSocketEvent(event, action.payload)
    return checked.ok ? reduce(plain(state), checked.value as P) : plain(state)
  }
}

function onItemEvent<K extends SocketEventName, P extends { item_id: number }>(
  event: K,
  toModel: (payload: P) => ModelEvent,
) {
  return onSocketEvent<K, P>(event, (state, payload) =>
    applyItemEvent(state, payload.item_id, toModel(payload)),
  )
}

export interface EventRejectedPayload {
  event: string
  issues: ValidationIssue[]
  /** The start of the rejected payload as JSON, bounded, for debugging. */
  preview: string
}

export type OutputSource = 'socket' | 'reconciliation'

export interface InvocationOutputReceivedPayload {
  itemId: number
  preparedId: string
  /** null for an orphan: a persisted result neither mapping attributes to a node. */
  sourceNodeId: string | null
  output: InvocationOutput
  origin: string | null
  destination: string | null
  via: OutputSource
}

export const workflowExecutionSlice = createSlice({
  name: 'workflowExecution',
  initialState: () => createInitialState(),
  reducers: {
    queueItemStatusChanged: onItemEvent<'queue_item_status_changed', QueueItemStatusChangedEvent>(
      'queue_item_status_changed',
      statusEvent,
    ),
    invocationStarted: onItemEvent<'invocation_started', InvocationStartedEvent>(
      'invocation_started',
      startedEvent,
    ),
    invocationProgress: {
      reducer: onItemEvent<'invocation_progress', InvocationProgressEvent>(
        'invocation_progress',
        progressEvent,
      ),
      // Progress is the high-frequency event: subscribers are notified once per batch.
      prepare: prepareAutoBatched<InvocationProgressEvent>(),
    },
    invocationComplete: onItemEvent<'invocation_complete', InvocationCompleteEvent>(
      'invocation_complete',
      completeEvent,
    ),
    invocationError: onItemEvent<'invocation_error', InvocationErrorEvent>('invocation_error', errorEvent),
    batchEnqueued: onSocketEvent<'batch_enqueued', BatchEnqueuedEvent>('batch_enqueued', (state) => state),
    queueCleared: onSocketEvent<'queue_cleared', QueueClearedEvent>('queue_cleared', (state, payload) => {
      const userId = payload.user_id ?? null
      const { currentUserId } = state.config
      return cancelItems(
        state,
        (item) =>
          userId === null ||
          item.userId === userId ||
          (item.userId === null && (currentUserId === null || currentUserId === userId)),
        'queue_cleared',
      )
    }),
    queueItemsCanceled: onSocketEvent<'queue_items_canceled', QueueItemsCanceledEvent>(
      'queue_items_canceled',
      (state, payload) => {
        const ids = new Set(payload.canceled_item_ids)
        return cancelItems(state, (item) => ids.has(item.itemId), 'queue_items_canceled')
      },
    ),
    // Retries are new rows with new ids; the originals stay as they are.
    queueItemsRetried: onSocketEvent<'queue_items_retried', QueueItemsRetriedEvent>(
      'queue_items_retried',
      (state) => state,
    ),
    socketConnected: (state) => ({ ...plain(state), connected: true }),
    socketDisconnected: {
      reducer: (state, _action: PayloadAction<{ reason: string | null }>) => ({
        ...plain(state),
        connected: false,
      }),
      prepare: (reason?: string) => ({ payload: { reason: reason ?? null } }),
    },
    eventRejected: (state, _action: PayloadAction<EventRejectedPayload>) => plain(state),
    executionConfigured: (state, action: PayloadAction<Partial<WorkflowExecutionConfig>>) =>
      withConfig(plain(state), action.payload),
    invocationOutputReceived: (state, action: PayloadAction<InvocationOutputReceivedPayload>) => {
      const base = plain(state)
      const { itemId, preparedId } = action.payload
      return markDelivered(base, itemId, preparedId)
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(reconcileQueueItem.pending, onReconcilePending)
      .addCase(reconcileQueueItem.fulfilled, onReconcileFulfilled)
      .addCase(reconcileQueueItem.rejected, onReconcileRejected)
      .addCase(reconciliationAttemptFailed, onReconciliationAttemptFailed)
  },
})

function onReconcilePending(
  state: WorkflowExecutionState,
  action: ReturnType<typeof reconcileQueueItem.pending>,
) {
  return applyItemEvent(plain(state), action.meta.arg.itemId, {
    kind: 'reconcile_requested',
    requestId: action.meta.requestId,
  })
}

function onReconcileFulfilled(
  state: WorkflowExecutionState,
  action: ReturnType<typeof reconcileQueueItem.fulfilled>,
) {
  return applyItemEvent(
    plain(state),
    action.meta.arg.itemId,
    resultEvent(action.meta.requestId, action.payload),
  )
}

function onReconcileRejected(
  state: WorkflowExecutionState,
  action: ReturnType<typeof reconcileQueueItem.rejected>,
) {
  // condition() said no: the thunk never started, nothing to record.
  if (action.meta.condition) return plain(state)
  const requestId = action.meta.requestId
  const event: ModelEvent = action.meta.aborted
    ? { kind: 'reconcile_aborted', requestId }
    : {
        kind: 'reconcile_failed',
        requestId,
        error: action.payload?.error ?? action.error.message ?? 'reconciliation failed',
        final: true,
      }
  return applyItemEvent(plain(state), action.meta.arg.itemId, event)
}

function onReconciliationAttemptFailed(
  state: WorkflowExecutionState,
  action: ReturnType<typeof reconciliationAttemptFailed>,
) {
  return applyItemEvent(plain(state), action.payload.itemId, {
    kind: 'reconcile_failed',
    requestId: action.payload.requestId,
    error: action.payload.error,
    final: false,
  })
}

function resultEvent(requestId: string, result: ReconcileQueueItemResult): ModelEvent {
  return result.kind === 'gone'
    ? { kind: 'snapshot_gone', requestId }
    : { kind: 'snapshot', requestId, snapshot: result.snapshot }
}

function markDelivered(
  state: WorkflowExecutionState,
  itemId: number,
  preparedId: string,
): WorkflowExecutionState {
  const item = state.items.entities[itemId]
  if (!item || Object.hasOwn(item.deliveredOutputs, preparedId)) return state
  const deliveredOutputs = withKey(item.deliveredOutputs, preparedId, true as const)
  return {
    ...state,
    items: { ...state.items, entities: { ...state.items.entities, [itemId]: { ...item, deliveredOutputs } } },
  }
}

export const {
  queueItemStatusChanged,
  invocationStarted,
  invocationProgress,
  invocationComplete,
  invocationError,
  batchEnqueued,
  queueCleared,
  queueItemsCanceled,
  queueItemsRetried,
  socketConnected,
  socketDisconnected,
  eventRejected,
  executionConfigured,
  invocationOutputReceived,
} = workflowExecutionSlice.actions

type CaseReducer = (state: WorkflowExecutionState, action: UnknownAction) => WorkflowExecutionState

/** Action type → its case reducer: every case of the slice, its own actions and the thunk's. */
const caseReducerByType = new Map<string, CaseReducer>([
  ...Object.entries(workflowExecutionSlice.caseReducers).map(
    ([name, reducer]) =>
      [`${workflowExecutionSlice.name}/${name}`, reducer as unknown as CaseReducer] as const,
  ),
  [reconcileQueueItem.pending.type, onReconcilePending as unknown as CaseReducer],
  [reconcileQueueItem.fulfilled.type, onReconcileFulfilled as unknown as CaseReducer],
  [reconcileQueueItem.rejected.type, onReconcileRejected as unknown as CaseReducer],
  [reconciliationAttemptFailed.type, onReconciliationAttemptFailed as unknown as CaseReducer],
])

/**
 * The slice's reducer, without immer: every case already returns a new state built from plain, unshared
 * copies, so wrapping it in a draft only added proxies and walks on every event (most of an event's
 * cost). The same cases, the same results as `createSlice` would give, frozen the same way.
 */
export function workflowExecutionReducer(
  state: WorkflowExecutionState | undefined,
  action: UnknownAction,
): WorkflowExecutionState {
  const current = state ?? workflowExecutionSlice.getInitialState()
  const reduce = caseReducerByType.get(action.type)
  if (!reduce) return current
  const next = reduce(current, action)
  return next === current ? current : freezeNew(next)
}

/**
 * Freezes what a case reducer created, stopping at what is already frozen (everything it reused): as
 * immer did, so state cannot be mutated by accident and RTK's dev checks skip unchanged subtrees.
 */
function freezeNew<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value
  Object.freeze(value)
  for (const key of Object.keys(value)) freezeNew((value as Record<string, unknown>)[key])
  return value
}

workflowExecutionSlice.reducer = workflowExecutionReducer

/** Socket event name → its action creator: what `bindSocket` dispatches. */
export const socketEventActions = {
  queue_item_status_changed: queueItemStatusChanged,
  invocation_started: invocationStarted,
  invocation_progress: invocationProgress,
  invocation_complete: invocationComplete,
  invocation_error: invocationError,
  batch_enqueued: batchEnqueued,
  queue_cleared: queueCleared,
  queue_items_canceled: queueItemsCanceled,
  queue_items_retried: queueItemsRetried,
} as const
