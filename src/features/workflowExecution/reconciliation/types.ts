import type { AsyncThunk } from '@reduxjs/toolkit'
import type { WorkflowExecutionState } from '../slice/state'
import type { PersistedRun } from '../model/types'

/** The reconciliation thunk's argument. */
export interface ReconcileQueueItemArg {
  itemId: number
  /** Defaults to the configured queue id. */
  queueId?: string
  /** Wait before the first fetch (a canceled item's last results may be saved a moment late). */
  delayMs?: number
  /**
   * The socket's `status_sequence` is in doubt (a terminal status it called stale, or events missed while
   * disconnected): the persisted item's sequence replaces the item's even when it is lower.
   */
  trustSequence?: boolean
}

/**
 * What a reconciliation found, as every adapter can say it: the persisted item mapped to the model's
 * `PersistedRun`, or that the server no longer has it. An adapter may add answers of its own (InvokeAI's
 * raw queue item), which it maps when the reducer applies them.
 */
export type EngineReconcileResult = { kind: 'run'; run: PersistedRun } | { kind: 'gone' }

/** Why a reconciliation gave up after its last retry. */
export interface ReconcileRejection {
  error: string
  attempts: number
}

/** The reconciliation thunk's config: the state it reads and its rejection value. */
export interface ReconcileThunkConfig {
  state: { workflowExecution: WorkflowExecutionState }
  rejectValue: ReconcileRejection
}

/**
 * A reconciliation thunk, whatever the protocol: the engine's reducer applies its lifecycle (R0-R5);
 * abort it through the promise's `.abort()`.
 */
export type EngineReconcileThunk<Result = EngineReconcileResult> = AsyncThunk<
  Result,
  ReconcileQueueItemArg,
  ReconcileThunkConfig
>

/** How failed fetches are retried. */
export interface RetryOptions {
  /** Retries after the first failed attempt (default 3). */
  retries?: number
  /** First backoff delay; doubles per retry up to `maxBackoffMs` (defaults 250 ms and 5 s). */
  backoffMs?: number
  maxBackoffMs?: number
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number
}
