import { combineReducers, configureStore, type DevToolsEnhancerOptions, type Reducer } from '@reduxjs/toolkit'
import { createWorkflowExecution } from '../invokeai/createWorkflowExecution'
import { actionSanitizer, stateSanitizer } from '../features/workflowExecution/devtools/sanitizers'
import { REDUCER_PATH, type WorkflowExecutionState } from '../features/workflowExecution/slice/state'
import type {
  ExecutionDispatch,
  ExecutionRootState,
  ExecutionStore,
  ExecutionStoreOptions,
  HostReducers,
} from './types'

export type * from './types'

const DEFAULT_DEVTOOLS: DevToolsEnhancerOptions = {
  name: 'workflow-execution-state',
  actionSanitizer,
  stateSanitizer,
}

function devToolsOf(option: ExecutionStoreOptions['devTools']): boolean | DevToolsEnhancerOptions {
  if (option === false) return false
  return option === undefined || option === true ? DEFAULT_DEVTOOLS : { ...DEFAULT_DEVTOOLS, ...option }
}

/** The root reducer when the engine is alone: what `combineReducers` would do, without its per-key loop. */
function onlyTheEngine(
  reducer: Reducer<WorkflowExecutionState>,
): Reducer<{ [REDUCER_PATH]: WorkflowExecutionState }> {
  return (state, action) => {
    const before = state?.[REDUCER_PATH]
    const after = reducer(before, action)
    return state !== undefined && after === before ? state : { [REDUCER_PATH]: after }
  }
}

/**
 * A ready store built on `createWorkflowExecution`: the engine's reducer and middleware, the host's extra
 * reducers, DevTools with the engine's sanitizers, and the socket binding bound to its own dispatch.
 * @example
 * const store = createExecutionStore({ baseUrl: 'http://127.0.0.1:9090' })
 * store.bindSocket(io('http://127.0.0.1:9090', { path: '/ws/socket.io' }))
 */
export function createExecutionStore<R extends HostReducers = Record<never, never>>(
  options: ExecutionStoreOptions<R> = {},
): ExecutionStore<ExecutionRootState<R>> {
  const { reducers, preloadedState, devTools, devChecks = true, ...engineOptions } = options
  const execution = createWorkflowExecution(engineOptions)
  const preloaded = preloadedState?.[REDUCER_PATH] as WorkflowExecutionState | undefined
  const initial = execution.getInitialState()
  const rootReducer = (reducers && Object.keys(reducers).length > 0
    ? combineReducers({ ...reducers, [REDUCER_PATH]: execution.reducer })
    : onlyTheEngine(execution.reducer)) as unknown as Reducer<ExecutionRootState<R>>
  const store = configureStore({
    reducer: rootReducer,
    preloadedState: {
      ...preloadedState,
      [REDUCER_PATH]: preloaded ? { ...preloaded, config: initial.config } : initial,
    } as ExecutionRootState<R>,
    middleware: (getDefaultMiddleware) =>
      // Before the dev checks, as RTK advises for a listener middleware.
      getDefaultMiddleware({ immutableCheck: devChecks, serializableCheck: devChecks }).prepend(
        execution.middleware,
      ),
    devTools: devToolsOf(devTools),
  })
  return Object.assign(store, {
    dispatch: store.dispatch as ExecutionDispatch<ExecutionRootState<R>>,
    execution,
    startListening: execution.startListening,
    bindSocket: (socket: Parameters<ExecutionStore['bindSocket']>[0]) =>
      execution.bindSocket(socket, store.dispatch),
    close: () => execution.close(),
  })
}
