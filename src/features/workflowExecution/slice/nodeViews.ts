import { nodeView } from '../model/nodes'
import { trieGet } from '../model/structures/hashTrie'
import { listToArray } from '../model/structures/outputList'
import type { IdRecord, NodeExecutionState, NodeRecord, NodeTally, QueueItemExecution } from '../model/types'

/*
 * The stored node keeps its outputs in chunks; readers get `NodeExecutionState` with one array. The view
 * is derived data, memoized per stored node (as reselect's weakMapMemoize does): the same stored node
 * always gives the same view object, so `useSelector` and `===` see a change only when the node changed.
 */
const views = new WeakMap<NodeRecord, NodeExecutionState>()

export function viewOfNode(node: NodeRecord): NodeExecutionState {
  const cached = views.get(node)
  if (cached) return cached
  const view = nodeView(node)
  views.set(node, view)
  return view
}

/** How many copies of one source node there are, and how many are in each state. */
export interface NodeCopyCounts {
  /** Copies the engine knows of (started or persisted): a fan-out's total once its copies are known. */
  total: number
  running: number
  completed: number
  failed: number
  canceled: number
}

// Keyed by the tally: the tally object changes only when a copy moves (or the shown image's copy does).
const copyCounts = new WeakMap<NodeTally, NodeCopyCounts>()

export function copyCountsOfNode(node: NodeRecord): NodeCopyCounts {
  const cached = copyCounts.get(node.tally)
  if (cached) return cached
  const { running, completed, failed, canceled } = node.tally
  // Every copy is counted in exactly one state (moveTally), so the states add up to the copies.
  const counts = { total: running + completed + failed + canceled, running, completed, failed, canceled }
  copyCounts.set(node.tally, counts)
  return counts
}

const nodeIds = new WeakMap<object, string[]>()

/** An item's node ids in first-seen order: the same array until a node is added. */
export function nodeIdsOf(item: QueueItemExecution): string[] {
  const cached = nodeIds.get(item.nodeOrder)
  if (cached) return cached
  const ids = listToArray(item.nodeOrder)
  nodeIds.set(item.nodeOrder, ids)
  return ids
}

/** Every node of an item as its view, keyed by node id, in first-seen order. */
export function nodeViewsOf(item: QueueItemExecution): IdRecord<NodeExecutionState> {
  const record: Record<string, NodeExecutionState> = Object.create(null)
  for (const nodeId of nodeIdsOf(item)) {
    const node = trieGet(item.nodes, nodeId)
    if (node) record[nodeId] = viewOfNode(node)
  }
  return { ...record }
}
