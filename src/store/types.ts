import type {
  DevToolsEnhancerOptions,
  Dispatch,
  EnhancedStore,
  Reducer,
  StateFromReducersMapObject,
  ThunkDispatch,
  UnknownAction,
} from '@reduxjs/toolkit'
import type { StartWorkflowExecutionListening } from '../features/workflowExecution/listeners/types'
import type { WithWorkflowExecution } from '../features/workflowExecution/slice/selectors'
import type { WorkflowExecutionState } from '../features/workflowExecution/slice/state'
import type { SocketLike } from '../invokeai/socket/types'
import type { WorkflowExecution, WorkflowExecutionOptions } from '../invokeai/types'

/** The host's own reducers, beside the engine's. */
export type HostReducers = Record<string, Reducer>

/**
 * Options of the ready store: the engine's options, plus the host's reducers, DevTools and RTK's
 * development checks.
 */
export interface ExecutionStoreOptions<
  R extends HostReducers = Record<never, never>,
> extends WorkflowExecutionOptions {
  /** More reducers for the same store (the engine's sits at `workflowExecution`). */
  reducers?: R
  /** State to start from; its `workflowExecution.config` gives way to the options given here. */
  preloadedState?: Partial<ExecutionRootState<R>>
  /**
   * Redux DevTools options, or false. Default: on, with the engine's `actionSanitizer` and
   * `stateSanitizer` so progress previews do not flood the log.
   */
  devTools?: boolean | DevToolsEnhancerOptions
  /** RTK's development-mode immutability and serializability checks (default true; off in production). */
  devChecks?: boolean
}

/** The root state of a ready store: the engine's slice and the host's. */
export type ExecutionRootState<R extends HostReducers = Record<never, never>> = WithWorkflowExecution &
  StateFromReducersMapObject<R>

/** The dispatch of a ready store: plain actions and thunks (the reconciliation thunk among them). */
export type ExecutionDispatch<S = WithWorkflowExecution> = ThunkDispatch<S, unknown, UnknownAction> &
  Dispatch<UnknownAction>

/** A ready store with the engine in it (standalone use, tests, the live page). */
export interface ExecutionStore<S extends WithWorkflowExecution = WithWorkflowExecution> extends Omit<
  EnhancedStore<S, UnknownAction>,
  'dispatch'
> {
  dispatch: ExecutionDispatch<S>
  /** The engine the store is built on. */
  readonly execution: WorkflowExecution
  /** Adds the host's effects to the engine's listener middleware. */
  readonly startListening: StartWorkflowExecutionListening
  /** Binds a socket.io-client socket to this store (its dispatch, the configured queue); returns unbind. */
  bindSocket(socket: SocketLike): () => void
  /** Removes the engine's listeners and aborts its requests. */
  close(): void
}

export type { WorkflowExecutionState }
