import type { ListenerEffectAPI, TypedStartListening, UnknownAction, ThunkDispatch } from '@reduxjs/toolkit'
import type { ReconcileServices } from '../reconciliation/types'
import type { WorkflowExecutionConfig } from '../slice/state'
import type { WithWorkflowExecution } from '../slice/selectors'

export type EngineDispatch = ThunkDispatch<WithWorkflowExecution, unknown, UnknownAction>

export type StartWorkflowExecutionListening = TypedStartListening<WithWorkflowExecution, EngineDispatch>

export type EngineListenerApi = ListenerEffectAPI<WithWorkflowExecution, EngineDispatch>

export interface WorkflowExecutionListenerOptions
  extends
    ReconcileServices,
    Partial<Pick<WorkflowExecutionConfig, 'reconcileOrigins' | 'currentUserId' | 'queueId'>> {
  /** Wait before reconciling a canceled item: the server may save its last results a moment late (default 1000). */
  canceledReconcileDelayMs?: number
}
