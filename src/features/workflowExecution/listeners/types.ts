import type { ListenerEffectAPI, TypedStartListening, UnknownAction, ThunkDispatch } from '@reduxjs/toolkit'
import type { WithWorkflowExecution } from '../slice/selectors'

/** The dispatch the engine's listeners and thunk use: thunks included. */
export type EngineDispatch = ThunkDispatch<WithWorkflowExecution, unknown, UnknownAction>

/**
 * The engine's `startListening`, for the host's own effects on the engine's actions. Narrow it to the
 * host's store with RTK's `withTypes`.
 * @example
 * const startAppListening = execution.startListening.withTypes<RootState, AppDispatch>()
 */
export type StartWorkflowExecutionListening = TypedStartListening<WithWorkflowExecution, EngineDispatch>

export type EngineListenerApi = ListenerEffectAPI<WithWorkflowExecution, EngineDispatch>
