import { itemOf, itemsOf } from './items'
import { createSelector } from '@reduxjs/toolkit'
import { recentDecisions } from '../model/decisions'
import { getOwn } from '../model/records'
import type { DecisionEntry, NodeExecutionState, QueueItemExecution } from '../model/types'
import { copyCountsOfNode, nodeIdsOf, viewOfNode, type NodeCopyCounts } from './nodeViews'
import { trieGet } from '../model/structures/hashTrie'
import type { WorkflowExecutionState } from './state'

export type { NodeCopyCounts }

export interface WithWorkflowExecution {
  workflowExecution: WorkflowExecutionState
}

/*
 * Selectors return stored objects (a node as its memoized view): the model copies only what an event
 * changes, so a node's object stays the same when another node changes, and a reader re-renders only
 * when what it reads changed.
 */

export const selectWorkflowExecution = (state: WithWorkflowExecution): WorkflowExecutionState =>
  state.workflowExecution

export function selectQueueItemExecution(
  state: WithWorkflowExecution,
  itemId: number,
): QueueItemExecution | undefined {
  return itemOf(state.workflowExecution.items, itemId)
}

export function selectNodeExecutionState(
  state: WithWorkflowExecution,
  itemId: number,
  nodeId: string,
): NodeExecutionState | undefined {
  const item = itemOf(state.workflowExecution.items, itemId)
  const node = item ? trieGet(item.nodes, nodeId) : undefined
  return node ? viewOfNode(node) : undefined
}

/**
 * How many prepared copies of a source node there are and in which state: a fan-out node (downstream of
 * an `iterate`) runs once per element. The same object while the counts stay the same.
 */
export function selectNodeCopyCounts(
  state: WithWorkflowExecution,
  itemId: number,
  nodeId: string,
): NodeCopyCounts | undefined {
  const item = itemOf(state.workflowExecution.items, itemId)
  const node = item ? trieGet(item.nodes, nodeId) : undefined
  return node ? copyCountsOfNode(node) : undefined
}

export function selectActiveItemId(state: WithWorkflowExecution, origin: string): number | undefined {
  return getOwn(state.workflowExecution.activeItemIdByOrigin, origin)
}

export function selectActiveNodeExecutionState(
  state: WithWorkflowExecution,
  origin: string,
  nodeId: string,
): NodeExecutionState | undefined {
  const itemId = selectActiveItemId(state, origin)
  return itemId === undefined ? undefined : selectNodeExecutionState(state, itemId, nodeId)
}

export const selectQueueItemIds = (state: WithWorkflowExecution): number[] =>
  state.workflowExecution.items.ids

/** Items most recently touched first. */
export const selectQueueItems: (state: WithWorkflowExecution) => QueueItemExecution[] = createSelector(
  [(state: WithWorkflowExecution) => state.workflowExecution.items],
  (items) => itemsOf(items).sort((a, b) => b.lastTouched - a.lastTouched),
)

/** The node ids of an item, in first-seen order. */
export function selectNodeIds(state: WithWorkflowExecution, itemId: number): string[] {
  const item = itemOf(state.workflowExecution.items, itemId)
  return item ? nodeIdsOf(item) : []
}

export function selectRecentDecisions(state: WithWorkflowExecution, itemId: number): DecisionEntry[] {
  const item = itemOf(state.workflowExecution.items, itemId)
  return item ? recentDecisions(item.decisions) : []
}

/** Whether the bound socket is connected, as the engine last heard it. */
export const selectSocketConnected = (state: WithWorkflowExecution): boolean =>
  state.workflowExecution.connected

/** Every selector, by name: what the factory hands out as `selectors`. */
export const executionSelectors = {
  selectWorkflowExecution,
  selectQueueItemExecution,
  selectNodeExecutionState,
  selectNodeCopyCounts,
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectQueueItemIds,
  selectQueueItems,
  selectNodeIds,
  selectRecentDecisions,
  selectSocketConnected,
} as const

/** The engine's selectors, as the root exports them; each reads `state.workflowExecution`. */
export interface WorkflowExecutionSelectors {
  selectWorkflowExecution: typeof selectWorkflowExecution
  selectQueueItemExecution: typeof selectQueueItemExecution
  selectNodeExecutionState: typeof selectNodeExecutionState
  selectNodeCopyCounts: typeof selectNodeCopyCounts
  selectActiveItemId: typeof selectActiveItemId
  selectActiveNodeExecutionState: typeof selectActiveNodeExecutionState
  selectQueueItemIds: typeof selectQueueItemIds
  selectQueueItems: typeof selectQueueItems
  selectNodeIds: typeof selectNodeIds
  selectRecentDecisions: typeof selectRecentDecisions
  selectSocketConnected: typeof selectSocketConnected
}
