import type { UnknownAction } from '@reduxjs/toolkit'
import { createWorkflowExecution } from '../../../../invokeai/createWorkflowExecution'
import type { SessionQueueItem } from '../../../../invokeai/wire/types'
import { queueItemStatusChanged } from '../../../../invokeai'
import { invocationStarted } from '../../../../invokeai'
import { invocationProgress } from '../../../../invokeai'
import { invocationError } from '../../../../invokeai'
import { invocationComplete } from '../../../../invokeai'
import type { WorkflowExecutionState } from '../state'

/** A default engine's reducer and thunk: the reducer scenarios fold actions through them. */
const defaultEngine = createWorkflowExecution()
export const workflowExecutionReducer = defaultEngine.reducer
export const reconcileQueueItem = defaultEngine.reconcileQueueItem

/*
 * Wire payloads (as the server sends them: nulls present) and a reducer fold, for slice scenarios.
 */

export interface PayloadOptions {
  origin?: string | null
  userId?: string | null
  extra?: Record<string, unknown>
}

function base(itemId: number, options: PayloadOptions) {
  return {
    timestamp: 1787134502,
    queue_id: 'default',
    item_id: itemId,
    batch_id: `batch-${itemId}`,
    origin: options.origin === undefined ? 'workflows' : options.origin,
    destination: 'gallery',
    user_id: options.userId === undefined ? 'system' : options.userId,
  }
}

export function statusChanged(
  itemId: number,
  status: string,
  seq: number | null = null,
  options: PayloadOptions = {},
) {
  return queueItemStatusChanged({
    ...base(itemId, options),
    status: status as 'pending',
    status_sequence: seq,
    error_type: null,
    error_message: null,
    error_traceback: null,
    session_id: `session-${itemId}`,
    ...options.extra,
  })
}

function invocation(itemId: number, preparedId: string, sourceNodeId: string, options: PayloadOptions) {
  return {
    ...base(itemId, options),
    session_id: `session-${itemId}`,
    invocation: { id: preparedId, type: 'add', is_intermediate: false },
    invocation_source_id: sourceNodeId,
    ...options.extra,
  }
}

export const startedAction = (
  itemId: number,
  preparedId: string,
  sourceNodeId: string,
  options: PayloadOptions = {},
) => invocationStarted(invocation(itemId, preparedId, sourceNodeId, options))

export const progressAction = (
  itemId: number,
  preparedId: string,
  sourceNodeId: string,
  percentage: number | null,
  options: PayloadOptions = {},
) =>
  invocationProgress({
    ...invocation(itemId, preparedId, sourceNodeId, options),
    message: 'Denoising',
    percentage,
    image: null,
    device: null,
  })

export const completeAction = (
  itemId: number,
  preparedId: string,
  sourceNodeId: string,
  value: unknown = preparedId,
  options: PayloadOptions = {},
) =>
  invocationComplete({
    ...invocation(itemId, preparedId, sourceNodeId, options),
    result: { output_meta: null, value, type: 'integer_output' },
  })

export const errorAction = (
  itemId: number,
  preparedId: string,
  sourceNodeId: string,
  options: PayloadOptions = {},
) =>
  invocationError({
    ...invocation(itemId, preparedId, sourceNodeId, options),
    error_type: 'ValueError',
    error_message: 'boom',
    error_traceback: 'Traceback ...',
  })

/** A whole run: in_progress, one node started and completed, then a terminal status. */
export function runActions(
  itemId: number,
  terminal: 'completed' | 'failed' | 'canceled' = 'completed',
  options: PayloadOptions = {},
): UnknownAction[] {
  return [
    statusChanged(itemId, 'in_progress', 1, options),
    startedAction(itemId, `p-${itemId}`, 'node', options),
    completeAction(itemId, `p-${itemId}`, 'node', itemId, options),
    statusChanged(itemId, terminal, 2, options),
  ]
}

export function reduce(state: WorkflowExecutionState, ...actions: UnknownAction[]): WorkflowExecutionState {
  return actions.reduce(workflowExecutionReducer, state)
}

/** The actions a reconciliation thunk dispatches for a snapshot (pending, then fulfilled). */
export function reconciled(
  itemId: number,
  requestId: string,
  snapshot: SessionQueueItem | null,
): UnknownAction[] {
  const arg = { itemId }
  return [
    reconcileQueueItem.pending(requestId, arg),
    reconcileQueueItem.fulfilled(
      snapshot ? { kind: 'snapshot', snapshot } : { kind: 'gone' },
      requestId,
      arg,
    ),
  ]
}

export function snapshotOf(itemId: number, status: 'completed' | 'failed' | 'canceled'): SessionQueueItem {
  const preparedId = `p-${itemId}`
  return {
    item_id: itemId,
    status,
    status_sequence: 2,
    queue_id: 'default',
    session_id: `session-${itemId}`,
    session: {
      id: `session-${itemId}`,
      results: { [preparedId]: { value: itemId, type: 'integer_output' } },
      prepared_source_mapping: { [preparedId]: 'node' },
      source_prepared_mapping: { node: [preparedId] },
      executed_history: [preparedId, 'node'],
    },
  }
}
