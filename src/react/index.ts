import { shallowEqual, useSelector } from 'react-redux'
import type {
  DecisionEntry,
  NodeExecutionState,
  QueueItemExecution,
} from '../features/workflowExecution/model/types'
import {
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectNodeExecutionState,
  selectNodeIds,
  selectQueueItemExecution,
  selectQueueItemIds,
  selectQueueItems,
  selectRecentDecisions,
  selectWorkflowExecution,
  type WithWorkflowExecution,
} from '../features/workflowExecution/slice/selectors'

/*
 * React bindings: each hook reads one stored object (or a shallow-compared list of them) through
 * react-redux's `useSelector`. The model copies only what an event changes, so a component re-renders
 * only when the node, item or list it reads changes: a progress event on one node leaves its siblings alone.
 * `itemId` may be undefined (nothing selected yet); the hooks then return undefined or an empty list.
 */

export type { WithWorkflowExecution }

/** The origin of the workflow editor's runs (InvokeAI's `origin` for workflows). */
export const DEFAULT_ORIGIN = 'workflows'

// A shared empty list, so "no item" never looks like a change to a reader.
const NO_ENTRIES: readonly never[] = Object.freeze([])

const useExecutionSelector = useSelector.withTypes<WithWorkflowExecution>()

/** A node of the item currently running (or last run) for `origin`: the workflow editor's view of a node. */
export function useNodeExecutionState(
  nodeId: string,
  origin: string = DEFAULT_ORIGIN,
): NodeExecutionState | undefined {
  return useExecutionSelector((state) => selectActiveNodeExecutionState(state, origin, nodeId))
}

/** A node of one given queue item, whether or not that item is the active one. */
export function useItemNodeExecutionState(
  itemId: number | undefined,
  nodeId: string,
): NodeExecutionState | undefined {
  return useExecutionSelector((state) =>
    itemId === undefined ? undefined : selectNodeExecutionState(state, itemId, nodeId),
  )
}

/** The whole execution record of a queue item; changes on every event of that item. */
export function useQueueItemExecution(itemId: number | undefined): QueueItemExecution | undefined {
  return useExecutionSelector((state) =>
    itemId === undefined ? undefined : selectQueueItemExecution(state, itemId),
  )
}

/** The item that most recently went `in_progress` for `origin`. */
export function useActiveItemId(origin: string = DEFAULT_ORIGIN): number | undefined {
  return useExecutionSelector((state) => selectActiveItemId(state, origin))
}

/** Every tracked item, most recently touched first; changes whenever any item changes. */
export function useQueueItems(): QueueItemExecution[] {
  return useExecutionSelector(selectQueueItems)
}

/** Ids of the tracked items, in the order they were first seen; changes only when one is added or evicted. */
export function useQueueItemIds(): readonly number[] {
  return useExecutionSelector(selectQueueItemIds)
}

/** Node ids of an item in first-seen order; the same array until a node is added. */
export function useNodeIds(itemId: number | undefined): readonly string[] {
  return useExecutionSelector(
    (state) => (itemId === undefined ? NO_ENTRIES : selectNodeIds(state, itemId)),
    shallowEqual,
  )
}

/** The item's recent decisions (rule id, event, applied or ignored), oldest first. */
export function useRecentDecisions(itemId: number | undefined): readonly DecisionEntry[] {
  return useExecutionSelector(
    (state) => (itemId === undefined ? NO_ENTRIES : selectRecentDecisions(state, itemId)),
    shallowEqual,
  )
}

/** Whether the bound socket is connected, as the engine last heard it. */
export function useSocketConnected(): boolean {
  return useExecutionSelector((state) => selectWorkflowExecution(state).connected)
}
