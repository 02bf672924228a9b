import { nodeView } from './nodes'
import { trieForEach, trieGet } from './structures/hashTrie'
import { listToArray } from './structures/outputList'
import type { IdRecord, InvocationCopy, NodeExecutionState, QueueItemExecution } from './types'

/*
 * Reading an item the way the engine stores it: copies in a hash trie, nodes as records with chunked
 * outputs. For the engine's own tests and tools; hosts read through the selectors.
 */

export function copyOf(item: QueueItemExecution | undefined, preparedId: string): InvocationCopy | undefined {
  return item ? trieGet(item.copies, preparedId) : undefined
}

export function copiesOf(item: QueueItemExecution): InvocationCopy[] {
  const copies: InvocationCopy[] = []
  trieForEach(item.copies, (copy) => copies.push(copy))
  return copies
}

/** One node as its public view (`NodeExecutionState`, outputs as one array). */
export function nodeOf(item: QueueItemExecution | undefined, nodeId: string): NodeExecutionState | undefined {
  const node = item ? trieGet(item.nodes, nodeId) : undefined
  return node ? nodeView(node) : undefined
}

/** Every node as its public view, keyed by node id, in first-seen order. */
export function nodesOf(item: QueueItemExecution | undefined): IdRecord<NodeExecutionState> {
  const views: Record<string, NodeExecutionState> = Object.create(null)
  if (item)
    for (const nodeId of listToArray(item.nodeOrder)) {
      const node = trieGet(item.nodes, nodeId)
      if (node) views[nodeId] = nodeView(node)
    }
  return { ...views }
}
