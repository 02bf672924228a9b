import type {
  DecisionEntry,
  NodeExecutionState,
  QueueItemExecution,
} from '../features/workflowExecution/model/types'
import type { NodeCopyCounts } from '../features/workflowExecution/slice/selectors'

/**
 * The engine's React hooks. `itemId` may be undefined (nothing selected yet); the hooks then return
 * undefined or an empty list. The per-node and per-item hooks wake their component only when that node
 * or item changed.
 */
export interface ExecutionHooks {
  /** A node of the item currently running (or last run) for `origin`: the workflow editor's view of a node. */
  useNodeExecutionState(nodeId: string, origin?: string): NodeExecutionState | undefined
  /** A node of one given queue item, whether or not that item is the active one. */
  useItemNodeExecutionState(itemId: number | undefined, nodeId: string): NodeExecutionState | undefined
  /**
   * How many copies of a node of one item there are, and in which state (a fan-out runs a node once per
   * element); wakes only when those counts change, not on progress.
   */
  useItemNodeCopyCounts(itemId: number | undefined, nodeId: string): NodeCopyCounts | undefined
  /** The whole execution record of a queue item; changes on every event of that item. */
  useQueueItemExecution(itemId: number | undefined): QueueItemExecution | undefined
  /** The item that most recently went `in_progress` for `origin`. */
  useActiveItemId(origin?: string): number | undefined
  /** Every tracked item, most recently touched first; changes whenever any item changes. */
  useQueueItems(): QueueItemExecution[]
  /** Ids of the tracked items, in the order they were first seen; changes only when one is added or evicted. */
  useQueueItemIds(): readonly number[]
  /** Node ids of an item in first-seen order; the same array until a node is added. */
  useNodeIds(itemId: number | undefined): readonly string[]
  /** The item's recent decisions (rule id, event, applied or ignored), oldest first. */
  useRecentDecisions(itemId: number | undefined): readonly DecisionEntry[]
  /** Whether the bound socket is connected, as the engine last heard it. */
  useSocketConnected(): boolean
}
