import { nodeStatusOf, pendingNode } from './nodes'
import { trieForEach, trieFrom, trieGet, trieSet, trieSetAll, type HashTrie } from './structures/hashTrie'
import { listAppend, listFrom, type OutputList } from './structures/outputList'
import type {
  InvocationCopy,
  InvocationOutput,
  NodeError,
  NodeRecord,
  NodeTally,
  OrphanOutput,
  PersistedCopy,
  PersistedRun,
  QueueItemExecution,
} from './types'

const TERMINAL = new Set(['completed', 'failed', 'canceled'])

export function isTerminalStatus(status: string | null): boolean {
  return status !== null && TERMINAL.has(status)
}

/** Past this many rewritten entries, building the trie anew is cheaper than setting them one by one. */
const LARGE_REWRITE = 256

function rewrite<V>(trie: HashTrie<V>, all: Map<string, V>, changed: Map<string, V>): HashTrie<V> {
  return changed.size > LARGE_REWRITE ? trieFrom(all) : trieSetAll(trie, changed)
}

function nodeEntries(item: QueueItemExecution): [string, NodeRecord][] {
  const entries: [string, NodeRecord][] = []
  trieForEach(item.nodes, (node, nodeId) => entries.push([nodeId, node]))
  return entries
}

/** The node type and intermediate flag the answer gives, else what the item knew. */
function invocationOf(
  copy: PersistedCopy,
  existing: InvocationCopy | undefined,
): Pick<InvocationCopy, 'invocationType' | 'isIntermediate'> {
  return {
    invocationType: copy.invocationType ?? existing?.invocationType ?? null,
    isIntermediate: copy.isIntermediate ?? existing?.isIntermediate ?? null,
  }
}

/**
 * R1: the item takes the persisted run's word. Results complete their copies (an output already
 * received over the socket is kept as received), errors fail theirs, copies still running are canceled,
 * and every node is rebuilt from its copies with outputs in execution order. Results no mapping
 * attributes are kept as orphans. Linear in the size of the item and the answer.
 */
export function applySnapshot(item: QueueItemExecution, run: PersistedRun): QueueItemExecution {
  const copies = new Map<string, InvocationCopy>()
  trieForEach(item.copies, (copy, preparedId) => copies.set(preparedId, copy))
  const changed = new Map<string, InvocationCopy>()
  const put = (copy: InvocationCopy) => {
    copies.set(copy.preparedId, copy)
    changed.set(copy.preparedId, copy)
  }
  const orphans: OrphanOutput[] = [...item.orphanOutputs]
  const orphanIds = new Set(orphans.map((orphan) => orphan.preparedId))
  const persistedErrors = new Map<string, NodeError>()

  for (const persisted of run.copies) {
    if (persisted.outcome !== 'completed') continue
    const { preparedId } = persisted
    const existing = copies.get(preparedId)
    const sourceNodeId = persisted.sourceNodeId ?? existing?.sourceNodeId
    const result = persisted.output ?? null
    if (sourceNodeId === undefined) {
      if (result !== null && !orphanIds.has(preparedId)) {
        orphanIds.add(preparedId)
        orphans.push({ preparedId, output: result, ...invocationOf(persisted, undefined) })
      }
      continue
    }
    const output = existing?.status === 'completed' && existing.output ? existing.output : result
    // Applying the snapshot delivers every persisted output; the listener announces the new ones once.
    if (
      existing?.status === 'completed' &&
      existing.output === output &&
      existing.sourceNodeId === sourceNodeId &&
      (existing.delivered || output === null)
    )
      continue
    put({
      preparedId,
      sourceNodeId,
      status: 'completed',
      output,
      delivered: output !== null,
      ...invocationOf(persisted, existing),
    })
  }
  for (const persisted of run.copies) {
    if (persisted.outcome !== 'failed') continue
    const { preparedId } = persisted
    const existing = copies.get(preparedId)
    const sourceNodeId = persisted.sourceNodeId ?? existing?.sourceNodeId
    if (sourceNodeId === undefined || existing?.status === 'completed') continue
    put({
      preparedId,
      sourceNodeId,
      status: 'failed',
      output: null,
      delivered: existing?.delivered ?? false,
      ...invocationOf(persisted, existing),
    })
    if (persisted.error) persistedErrors.set(sourceNodeId, persisted.error)
  }
  // The item stopped: a copy that was prepared (or seen running) but neither finished nor failed was cut
  // short. Deciding this from the answer alone, not from which events happened to arrive, is what makes
  // every client converge to the same table.
  for (const persisted of run.copies) {
    if (persisted.outcome !== 'prepared' || persisted.sourceNodeId === null) continue
    if (!copies.has(persisted.preparedId))
      put({
        preparedId: persisted.preparedId,
        sourceNodeId: persisted.sourceNodeId,
        status: 'canceled',
        output: null,
        delivered: false,
        ...invocationOf(persisted, undefined),
      })
  }
  for (const copy of copies.values()) {
    if (copy.status === 'in_progress') put({ ...copy, status: 'canceled' })
  }

  let deliveredOrphans = item.deliveredOrphans
  for (const orphan of orphans)
    if (!trieGet(item.copies, orphan.preparedId)?.delivered)
      deliveredOrphans = trieSet(deliveredOrphans, orphan.preparedId, true as const)
  const nodes = rebuildNodes(item, copies, run.executionOrder, persistedErrors)
  // What the server says came from cache stands, whichever frames arrived.
  for (const persisted of run.copies) {
    const copy = copies.get(persisted.preparedId)
    const node = copy && nodes.get(copy.sourceNodeId)
    if (persisted.cached && node && !node.cached) nodes.set(copy.sourceNodeId, { ...node, cached: true })
  }
  for (const sourceId of run.nodeIds) {
    if (!nodes.has(sourceId) && !trieGet(item.nodes, sourceId)) nodes.set(sourceId, pendingNode(sourceId))
  }

  const { meta } = run
  return {
    ...item,
    origin: item.origin ?? meta.origin,
    destination: item.destination ?? meta.destination,
    batchId: item.batchId ?? meta.batchId,
    sessionId: item.sessionId ?? meta.sessionId,
    userId: item.userId ?? meta.userId,
    status: run.status,
    statusSequence: run.statusSequence ?? item.statusSequence,
    startedAt: run.startedAt ?? item.startedAt,
    error: run.error ?? item.error,
    copies: rewrite(item.copies, copies, changed),
    nodes:
      nodes.size > LARGE_REWRITE ? trieFrom([...nodeEntries(item), ...nodes]) : trieSetAll(item.nodes, nodes),
    nodeOrder: appendNew(item, nodes, copies, run),
    orphanOutputs: orphans,
    deliveredOrphans,
    settled: isTerminalStatus(run.status),
  }
}

/**
 * The node order with the nodes the snapshot introduced appended: in execution order, then in the
 * graph's order, then the rest (a trie has no order of its own to offer).
 */
function appendNew(
  item: QueueItemExecution,
  nodes: Map<string, NodeRecord>,
  copies: Map<string, InvocationCopy>,
  run: PersistedRun,
): OutputList<string> {
  let order = item.nodeOrder
  const added = new Set<string>()
  const consider = (nodeId: string | undefined) => {
    if (nodeId === undefined || added.has(nodeId) || !nodes.has(nodeId) || trieGet(item.nodes, nodeId)) return
    added.add(nodeId)
    order = listAppend(order, nodeId)
  }
  for (const id of run.executionOrder) consider(copies.get(id)?.sourceNodeId ?? id)
  for (const sourceId of run.nodeIds) consider(sourceId)
  for (const nodeId of nodes.keys()) consider(nodeId)
  return order
}

function rebuildNodes(
  item: QueueItemExecution,
  copies: Map<string, InvocationCopy>,
  history: readonly string[],
  persistedErrors: Map<string, NodeError>,
): Map<string, NodeRecord> {
  // Each node's copies in execution order: first the ones the history lists, by first mention, then the
  // rest in arrival order. Nodes keep the order in which their first copy arrived.
  const bySource = new Map<string, InvocationCopy[]>()
  for (const copy of copies.values())
    if (!bySource.has(copy.sourceNodeId)) bySource.set(copy.sourceNodeId, [])
  const placed = new Set<string>()
  for (const id of history) {
    const copy = copies.get(id)
    if (copy === undefined || placed.has(id)) continue
    placed.add(id)
    ;(bySource.get(copy.sourceNodeId) as InvocationCopy[]).push(copy)
  }
  for (const copy of copies.values())
    if (!placed.has(copy.preparedId)) (bySource.get(copy.sourceNodeId) as InvocationCopy[]).push(copy)
  const nodes = new Map<string, NodeRecord>()
  for (const [sourceId, list] of bySource) {
    const previous = trieGet(item.nodes, sourceId) ?? pendingNode(sourceId)
    const tally: NodeTally = {
      running: 0,
      completed: 0,
      failed: 0,
      canceled: 0,
      imageFrom: previous.tally.imageFrom,
    }
    const outputs: InvocationOutput[] = []
    for (const copy of list) {
      if (copy.status === 'completed') {
        tally.completed += 1
        if (copy.output) outputs.push(copy.output)
      } else if (copy.status === 'failed') tally.failed += 1
      else if (copy.status === 'canceled') tally.canceled += 1
      else tally.running += 1
    }
    const status = nodeStatusOf(tally)
    nodes.set(sourceId, {
      ...previous,
      status,
      progress: status === 'IN_PROGRESS' ? previous.progress : null,
      outputs: listFrom(outputs),
      error: status === 'FAILED' ? (previous.error ?? persistedErrors.get(sourceId) ?? null) : previous.error,
      tally,
    })
  }
  return nodes
}
