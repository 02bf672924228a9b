import { configureStore, createListenerMiddleware } from '@reduxjs/toolkit'
import {
  addWorkflowExecutionListeners,
  type EngineDispatch,
  type WithWorkflowExecution,
  type WorkflowExecutionListenerOptions,
} from '../features/workflowExecution/listeners'
import {
  createInitialState,
  workflowExecutionReducer,
  type WorkflowExecutionConfig,
  type WorkflowExecutionState,
} from '../features/workflowExecution/slice'

export interface ExecutionStoreOptions extends WorkflowExecutionListenerOptions {
  maxItems?: number
  preloadedState?: { workflowExecution: WorkflowExecutionState }
  /** Redux DevTools in the browser (default true). */
  devTools?: boolean
  /** RTK's development-mode immutability and serializability checks (default true; off in production). */
  devChecks?: boolean
}

/** A ready store: the `workflowExecution` slice and the engine's listeners. For standalone use and tests. */
export function createExecutionStore(options: ExecutionStoreOptions = {}) {
  const listenerMiddleware = createListenerMiddleware<WithWorkflowExecution, EngineDispatch>()
  const engine = addWorkflowExecutionListeners(listenerMiddleware.startListening, options)
  const config: Partial<WorkflowExecutionConfig> = {}
  if (options.maxItems !== undefined) config.maxItems = options.maxItems
  if (options.reconcileOrigins !== undefined) config.reconcileOrigins = options.reconcileOrigins
  if (options.currentUserId !== undefined) config.currentUserId = options.currentUserId
  if (options.queueId !== undefined) config.queueId = options.queueId
  if (options.baseUrl !== undefined) config.baseUrl = options.baseUrl
  const preloaded = options.preloadedState?.workflowExecution
  const workflowExecution = preloaded
    ? { ...preloaded, config: { ...preloaded.config, ...config } }
    : createInitialState(config)
  const store = configureStore({
    reducer: { workflowExecution: workflowExecutionReducer },
    preloadedState: { workflowExecution },
    middleware: (getDefaultMiddleware) =>
      getDefaultMiddleware({
        immutableCheck: options.devChecks ?? true,
        serializableCheck: options.devChecks ?? true,
      }).prepend(listenerMiddleware.middleware),
    devTools: options.devTools ?? true,
  })
  // `startListening` lets the host hang its own effects (gallery, toasts) on the same middleware.
  return Object.assign(store, { engine, startListening: listenerMiddleware.startListening })
}

export type ExecutionStore = ReturnType<typeof createExecutionStore>
export type ExecutionRootState = ReturnType<ExecutionStore['getState']>
export type ExecutionDispatch = ExecutionStore['dispatch']
