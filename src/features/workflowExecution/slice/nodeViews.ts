import { nodeView } from '../model/nodes'
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

/** Every node of an item as its view, keyed by node id, in first-seen order. */
export function nodeViewsOf(item: QueueItemExecution): IdRecord<NodeExecutionState> {
  const record: Record<string, NodeExecutionState> = {}
  for (const nodeId of Object.keys(item.nodes))
    Object.defineProperty(record, nodeId, {
      value: viewOfNode(item.nodes[nodeId] as NodeRecord),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  return record
}
