import type { Dispatch, ListenerMiddleware, Reducer } from '@reduxjs/toolkit'
import type { CombinedSliceReducer } from '@reduxjs/toolkit'
import type {
  EngineDispatch,
  StartWorkflowExecutionListening,
} from '../features/workflowExecution/listeners/types'
import type { ReconcileQueueItemThunk } from './reconciliation/types'
import type { ReconcileServices } from './reconciliation/types'
import type { HydrateQueueThunk } from './reconciliation/types'
import type { FetchQueueSnapshot } from './reconciliation/types'
import type { WithWorkflowExecution } from '../features/workflowExecution/slice/selectors'
import type { REDUCER_PATH, WorkflowExecutionState } from '../features/workflowExecution/slice/state'
import type { SocketLike } from './socket/types'

/**
 * Everything an engine is built from. Every option that shapes state is in the reducer's initial state,
 * so it holds for the very first action.
 * @example
 * const execution = createWorkflowExecution({ baseUrl: 'http://127.0.0.1:9090', reconcileOrigins: ['workflows'] })
 */
export interface WorkflowExecutionOptions extends ReconcileServices {
  /** Server root of the default fetch, e.g. `'http://127.0.0.1:9090'` (default `''`: same origin). */
  baseUrl?: string
  /** The queue the socket subscribes to and items are fetched from (default `'default'`). */
  queueId?: string
  /** Settled items kept before the least recently touched is evicted (default 100). */
  maxItems?: number
  /** Evicted ids remembered so a trailing event cannot bring an item back (default 1000). */
  maxEvictedIds?: number
  /** Origins whose stopped items are reconciled over REST (default `null`: every origin). */
  reconcileOrigins?: string[] | null
  /** This client's user on a multi-user server: whose `queue_cleared` also clears items without a user. */
  currentUserId?: string | null
  /** Wait before reconciling a canceled item, in ms: its last results may be saved late (default 1000). */
  canceledReconcileDelayMs?: number
  /** Largest JSON preview of a rejected payload kept in `eventRejected` (default 512 characters). */
  maxPreviewChars?: number
  /**
   * On every connect, ask the server what it holds (its current item and the most recent ones) and apply
   * it as snapshots (default: on, `recentItems` = the smaller of 20 and `maxItems`; `false`: off).
   */
  hydrate?: boolean | { recentItems?: number }
  /** The host's fetcher for hydration; default: InvokeAI's `current`, `item_ids`, `items_by_ids`. */
  fetchQueueSnapshot?: FetchQueueSnapshot
}

import type { WorkflowExecutionSelectors } from '../features/workflowExecution/slice/selectors'
export type { WorkflowExecutionSelectors }

type SliceActions = typeof import('./slice/actions') &
  typeof import('../features/workflowExecution/slice/actions')

/** The engine's action creators, as the root exports them, plus this engine's reconciliation thunk. */
export interface WorkflowExecutionActions {
  queueItemStatusChanged: SliceActions['queueItemStatusChanged']
  invocationStarted: SliceActions['invocationStarted']
  invocationProgress: SliceActions['invocationProgress']
  invocationComplete: SliceActions['invocationComplete']
  invocationError: SliceActions['invocationError']
  batchEnqueued: SliceActions['batchEnqueued']
  queueCleared: SliceActions['queueCleared']
  queueItemsCanceled: SliceActions['queueItemsCanceled']
  queueItemsRetried: SliceActions['queueItemsRetried']
  socketConnected: SliceActions['socketConnected']
  socketDisconnected: SliceActions['socketDisconnected']
  eventRejected: SliceActions['eventRejected']
  invocationOutputReceived: SliceActions['invocationOutputReceived']
  currentUserChanged: SliceActions['currentUserChanged']
  reconciliationAttemptFailed: typeof import('../features/workflowExecution/reconciliation/actions').reconciliationAttemptFailed
  reconcileQueueItem: ReconcileQueueItemThunk
  /** Asks the server what it holds now (the engine does so on every connect). */
  hydrateQueue: HydrateQueueThunk
}

/**
 * One engine: its reducer, its middleware (the listeners), the socket binding and the reconciliation
 * thunk, built from one options object, as RTK Query's `createApi` builds an API.
 * @example
 * const store = configureStore({
 *   reducer: combineSlices(execution),
 *   middleware: (getDefault) => getDefault().concat(execution.middleware),
 * })
 */
export interface WorkflowExecution {
  /** `'workflowExecution'`: where the reducer must sit in the root state. */
  readonly reducerPath: typeof REDUCER_PATH
  readonly reducer: Reducer<WorkflowExecutionState>
  /** The listener middleware that runs reconciliation, aborts and exactly-once outputs. */
  readonly middleware: ListenerMiddleware<WithWorkflowExecution, EngineDispatch>
  /** Adds the host's own effects to the engine's middleware (`.withTypes<RootState, AppDispatch>()`). */
  readonly startListening: StartWorkflowExecutionListening
  /**
   * Binds a socket.io-client socket: subscribes to the queue on every connect, validates every payload
   * and dispatches its action, or `eventRejected`. Returns the function that unbinds.
   */
  bindSocket(socket: SocketLike, dispatch: Dispatch): () => void
  /** Ask the server about an item now; aborted when superseded, evicted or disconnected. */
  readonly reconcileQueueItem: ReconcileQueueItemThunk
  readonly actions: WorkflowExecutionActions
  readonly selectors: WorkflowExecutionSelectors
  /**
   * Injects the reducer into a `combineSlices` reducer, as a slice's `injectInto` does (the same as
   * `combined.inject(execution)`).
   */
  injectInto<InitialState, DeclaredState extends InitialState>(
    combined: CombinedSliceReducer<InitialState, DeclaredState>,
    config?: { overrideExisting?: boolean },
  ): CombinedSliceReducer<InitialState, DeclaredState & WithWorkflowExecution>
  /** The initial state of the reducer (options applied). */
  getInitialState(): WorkflowExecutionState
  /** Requests in flight right now (diagnostics, tests). */
  inFlightCount(): number
  /** Removes the engine's listeners and aborts every request in flight. */
  close(): void
}
