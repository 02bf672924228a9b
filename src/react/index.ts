import type { Store } from '@reduxjs/toolkit'
import type { WithWorkflowExecution } from '../features/workflowExecution/slice/selectors'
import { bindingOf, useContextBinding } from './binding'
import { createHooks, DEFAULT_ORIGIN } from './hooks'
import type { ExecutionHooks } from './types'

/*
 * React bindings. The hooks exported here read the store from react-redux's `<Provider>`.
 * `createExecutionHooks(store)` makes the same hooks fixed to one store, with no context read: on a page
 * of many node components, React checks every sibling's context on each update, and hooks without context
 * spare it that (docs/performance.md, g).
 */

export type { WithWorkflowExecution }
export type { ExecutionHooks }
export { DEFAULT_ORIGIN }

/** The hooks, bound to `store` instead of react-redux's context (no `<Provider>` needed). */
export function createExecutionHooks(store: Store<WithWorkflowExecution>): ExecutionHooks {
  const binding = bindingOf(store)
  return createHooks(() => binding)
}

export const {
  useNodeExecutionState,
  useItemNodeExecutionState,
  useItemNodeCopyCounts,
  useQueueItemExecution,
  useActiveItemId,
  useQueueItems,
  useQueueItemIds,
  useNodeIds,
  useRecentDecisions,
  useSocketConnected,
}: ExecutionHooks = createHooks(useContextBinding)
