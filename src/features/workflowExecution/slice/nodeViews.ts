import { nodeView } from '../model/nodes'
import { trieGet } from '../model/structures/hashTrie'
import { listToArray } from '../model/structures/outputList'
import type { IdRecord, NodeExecutionState, NodeRecord, QueueItemExecution } from '../model/types'

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
