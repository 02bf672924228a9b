import {
  createListenerMiddleware,
  type Dispatch,
  type ListenerMiddleware,
  type Reducer,
} from '@reduxjs/toolkit'
import { addWorkflowExecutionListeners, DEFAULT_CANCELED_RECONCILE_DELAY_MS } from './listeners'
import type { EngineDispatch } from '../features/workflowExecution/listeners/types'
import {
  createHydrateQueue,
  createInFlightRegistry,
  createReconcileQueueItem,
  reconciliationAttemptFailed,
} from './reconciliation'
import {
  createInitialState,
  DEFAULT_MAX_ITEMS,
  executionSelectors,
  REDUCER_PATH,
  type WithWorkflowExecution,
  type WorkflowExecutionConfig,
  type WorkflowExecutionState,
} from '../features/workflowExecution/slice'
import { engineActions } from '.'
import { createWorkflowExecutionReducer } from '.'
import { bindSocket } from './socket'
import { createExecutionSubscriptions } from '../features/workflowExecution/subscriptions'
import type { SocketLike } from './socket/types'
import type { WorkflowExecution, WorkflowExecutionOptions, WorkflowExecutionSelectors } from './types'

const selectors: WorkflowExecutionSelectors = executionSelectors

/** What injection needs of a `combineSlices` reducer. */
interface Injectable {
  inject(slice: { reducerPath: string; reducer: Reducer }, config?: { overrideExisting?: boolean }): unknown
}

function injectorOf(reducer: Reducer<WorkflowExecutionState>): WorkflowExecution['injectInto'] {
  const injectInto = (combined: Injectable, config?: { overrideExisting?: boolean }) =>
    combined.inject({ reducerPath: REDUCER_PATH, reducer }, config)
  // combineSlices types its result by the slices it was given; this is the same call with its type spelled.
  return injectInto as unknown as WorkflowExecution['injectInto']
}

/** The serializable options: they go into the reducer's initial state. */
function configOf(options: WorkflowExecutionOptions): Partial<WorkflowExecutionConfig> {
  const config: Partial<WorkflowExecutionConfig> = {}
  if (options.maxItems !== undefined) config.maxItems = options.maxItems
  if (options.maxEvictedIds !== undefined) config.maxEvictedIds = options.maxEvictedIds
  if (options.reconcileOrigins !== undefined) config.reconcileOrigins = options.reconcileOrigins
  if (options.currentUserId !== undefined) config.currentUserId = options.currentUserId
  if (options.queueId !== undefined) config.queueId = options.queueId
  if (options.baseUrl !== undefined) config.baseUrl = options.baseUrl
  config.hydrateRecentItems = hydrationLimitOf(options)
  return config
}

const DEFAULT_RECENT_ITEMS = 20

function hydrationLimitOf(options: WorkflowExecutionOptions): number | null {
  if (options.hydrate === false) return null
  const requested = typeof options.hydrate === 'object' ? options.hydrate.recentItems : undefined
  const cap = options.maxItems ?? DEFAULT_MAX_ITEMS
  return Math.max(0, Math.min(requested ?? DEFAULT_RECENT_ITEMS, cap))
}

/**
 * Builds one engine from one options object: the reducer (options in its initial state), the listener
 * middleware, the socket binding and the reconciliation thunk with the host's fetcher. Works with
 * `configureStore`, `combineSlices` and `inject` alike.
 * @example
 * const execution = createWorkflowExecution({ baseUrl: 'http://127.0.0.1:9090' })
 * const store = configureStore({
 *   reducer: combineSlices(execution),
 *   middleware: (getDefault) => getDefault().concat(execution.middleware),
 * })
 * execution.bindSocket(io('http://127.0.0.1:9090', { path: '/ws/socket.io' }), store.dispatch)
 */
export function createWorkflowExecution(options: WorkflowExecutionOptions = {}): WorkflowExecution {
  const initialState: WorkflowExecutionState = createInitialState(configOf(options))
  const inFlight = createInFlightRegistry()
  // Marks the actions whose payload the binding validated: the reducer does not parse them again.
  const validatedMark = Symbol('validated by the socket binding')
  const reconcileQueueItem = createReconcileQueueItem(options, inFlight)
  const hydrateQueue = createHydrateQueue(
    {
      ...(options.fetchQueueSnapshot ? { fetchQueueSnapshot: options.fetchQueueSnapshot } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    },
    inFlight,
  )
  const reducer = createWorkflowExecutionReducer(
    initialState,
    { reconcileQueueItem, hydrateQueue },
    validatedMark,
  )
  const listenerMiddleware = createListenerMiddleware<WithWorkflowExecution, EngineDispatch>()
  const subscriptions = createExecutionSubscriptions()
  // One middleware: keyed subscriptions around the listeners, so readers hear of a change once its
  // effects have run.
  const middleware = ((api) => {
    const outer = subscriptions.middleware(api)
    const inner = listenerMiddleware.middleware(api)
    return (next) => outer(inner(next))
  }) as ListenerMiddleware<WithWorkflowExecution, EngineDispatch>
  const removeListeners = addWorkflowExecutionListeners(listenerMiddleware.startListening, {
    reconcileQueueItem,
    hydrateQueue,
    inFlight,
    canceledReconcileDelayMs: options.canceledReconcileDelayMs ?? DEFAULT_CANCELED_RECONCILE_DELAY_MS,
  })
  const bindOptions = {
    queueId: initialState.config.queueId,
    validatedMark,
    ...(options.maxPreviewChars === undefined ? {} : { maxPreviewChars: options.maxPreviewChars }),
  }

  return {
    reducerPath: REDUCER_PATH,
    reducer,
    middleware,
    startListening: listenerMiddleware.startListening,
    bindSocket: (socket: SocketLike, dispatch: Dispatch) => bindSocket(socket, dispatch, bindOptions),
    reconcileQueueItem,
    actions: { ...engineActions, reconciliationAttemptFailed, reconcileQueueItem, hydrateQueue },
    selectors,
    injectInto: injectorOf(reducer),
    getInitialState: () => initialState,
    inFlightCount: () => inFlight.size(),
    close: () => {
      removeListeners()
      listenerMiddleware.clearListeners()
    },
  }
}
