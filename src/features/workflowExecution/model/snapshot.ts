import { nodeStatusOf, pendingNode } from './nodes'
import { trieForEach, trieFrom, trieGet, trieSet, trieSetAll, type HashTrie } from './structures/hashTrie'
import { listAppend, listFrom, type OutputList } from './structures/outputList'
import type {
  IdRecord,
  InvocationCopy,
  NodeError,
  NodeRecord,
  NodeTally,
  OrphanOutput,
  QueueItemExecution,
} from './types'
import type { InvocationOutput, SessionQueueItem } from '../wire/types'

const TERMINAL = new Set(['completed', 'failed', 'canceled'])

export function isTerminalStatus(status: string | null): boolean {
  return status !== null && TERMINAL.has(status)
}

/** `session.errors` holds "ErrorType: message"; the traceback is not persisted there. */
export function parseSessionError(text: string): NodeError {
  const match = /^([A-Za-z_][\w.]*):\s?([\s\S]*)$/.exec(text)
  return match
    ? { error_type: match[1] ?? '', error_message: match[2] ?? '', error_traceback: null }
    : { error_type: 'Error', error_message: text, error_traceback: null }
}

function ownKeys(record: object | undefined): string[] {
  return record ? Object.keys(record) : []
}

/** Execution order: position in `executed_history` (prepared and source ids mixed there). */
function historyOf(snapshot: SessionQueueItem): readonly string[] {
  return snapshot.session.executed_history ?? snapshot.session.executed ?? []
}

/** Every prepared id either mapping names, with its source node (`prepared_source_mapping` wins). */
function preparedCopies(snapshot: SessionQueueItem): Map<string, string> {
  const copies = new Map<string, string>()
  const bySource = snapshot.session.source_prepared_mapping as IdRecord<string[]> | undefined
  for (const sourceId of ownKeys(bySource))
    for (const preparedId of (bySource as Record<string, string[]>)[sourceId] as string[])
      copies.set(preparedId, sourceId)
  const byPrepared = snapshot.session.prepared_source_mapping as IdRecord<string> | undefined
  for (const preparedId of ownKeys(byPrepared))
    copies.set(preparedId, (byPrepared as Record<string, string>)[preparedId] as string)
  return copies
}

type GraphNodes = Readonly<Record<string, unknown>>

/** `session.execution_graph.nodes`: the prepared invocations (read as untrusted, the schema is loose there). */
function executionGraphNodes(snapshot: SessionQueueItem): GraphNodes | null {
  const graph = (snapshot.session as { execution_graph?: unknown }).execution_graph
  if (typeof graph !== 'object' || graph === null) return null
  const nodes = (graph as { nodes?: unknown }).nodes
  return typeof nodes === 'object' && nodes !== null && !Array.isArray(nodes) ? (nodes as GraphNodes) : null
}

/** What the persisted graph says of one prepared invocation: its type and whether it is intermediate. */
function invocationOf(
  nodes: GraphNodes | null,
  preparedId: string,
  existing: InvocationCopy | undefined,
): Pick<InvocationCopy, 'invocationType' | 'isIntermediate'> {
  const node = nodes && Object.hasOwn(nodes, preparedId) ? nodes[preparedId] : undefined
  const fields = typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : {}
  return {
    invocationType: typeof fields.type === 'string' ? fields.type : (existing?.invocationType ?? null),
    isIntermediate:
      typeof fields.is_intermediate === 'boolean'
        ? fields.is_intermediate
        : (existing?.isIntermediate ?? null),
  }
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

/**
 * R1: the item takes the persisted snapshot's word. Results complete their copies (an output already
 * received over the socket is kept as received), errors fail theirs, copies still running are canceled,
 * and every node is rebuilt from its copies with outputs in execution order. Results no mapping
 * attributes are kept as orphans. Linear in the size of the item and the snapshot.
 */
export function applySnapshot(item: QueueItemExecution, snapshot: SessionQueueItem): QueueItemExecution {
  const { session } = snapshot
  const copies = new Map<string, InvocationCopy>()
  trieForEach(item.copies, (copy, preparedId) => copies.set(preparedId, copy))
  const changed = new Map<string, InvocationCopy>()
  const put = (copy: InvocationCopy) => {
    copies.set(copy.preparedId, copy)
    changed.set(copy.preparedId, copy)
  }
  const mapped = preparedCopies(snapshot)
  const graphNodes = executionGraphNodes(snapshot)
  const orphans: OrphanOutput[] = [...item.orphanOutputs]
  const orphanIds = new Set(orphans.map((orphan) => orphan.preparedId))
  const sessionErrors = new Map<string, NodeError>()

  const results = session.results as Record<string, InvocationOutput> | undefined
  for (const preparedId of ownKeys(results)) {
    const result = (results as Record<string, InvocationOutput>)[preparedId] as InvocationOutput
    const existing = copies.get(preparedId)
    const sourceNodeId = mapped.get(preparedId) ?? existing?.sourceNodeId
    if (sourceNodeId === undefined) {
      if (!orphanIds.has(preparedId)) {
        orphanIds.add(preparedId)
        orphans.push({ preparedId, output: result, ...invocationOf(graphNodes, preparedId, undefined) })
      }
      continue
    }
    const output = existing?.status === 'completed' && existing.output ? existing.output : result
    // Applying the snapshot delivers every persisted output; the listener announces the new ones once.
    if (
      existing?.status === 'completed' &&
      existing.output === output &&
      existing.sourceNodeId === sourceNodeId &&
      existing.delivered
    )
      continue
    put({
      preparedId,
      sourceNodeId,
      status: 'completed',
      output,
      delivered: true,
      ...invocationOf(graphNodes, preparedId, existing),
    })
  }
  const errors = session.errors as Record<string, string> | undefined
  for (const preparedId of ownKeys(errors)) {
    const text = (errors as Record<string, string>)[preparedId] as string
    const existing = copies.get(preparedId)
    const sourceNodeId = mapped.get(preparedId) ?? existing?.sourceNodeId
    if (sourceNodeId === undefined || existing?.status === 'completed') continue
    put({
      preparedId,
      sourceNodeId,
      status: 'failed',
      output: null,
      delivered: existing?.delivered ?? false,
      ...invocationOf(graphNodes, preparedId, existing),
    })
    sessionErrors.set(sourceNodeId, parseSessionError(text))
  }
  // The item stopped: a copy that was prepared (or seen running) but neither finished nor failed was cut
  // short. Deciding this from the session alone, not from which events happened to arrive, is what makes
  // every client converge to the same table.
  for (const [preparedId, sourceNodeId] of mapped) {
    if (!copies.has(preparedId))
      put({
        preparedId,
        sourceNodeId,
        status: 'canceled',
        output: null,
        delivered: false,
        ...invocationOf(graphNodes, preparedId, undefined),
      })
  }
  for (const copy of copies.values()) {
    if (copy.status === 'in_progress') put({ ...copy, status: 'canceled' })
  }

  let deliveredOrphans = item.deliveredOrphans
  for (const orphan of orphans)
    if (!trieGet(item.copies, orphan.preparedId)?.delivered)
      deliveredOrphans = trieSet(deliveredOrphans, orphan.preparedId, true as const)
  const nodes = rebuildNodes(item, copies, historyOf(snapshot), sessionErrors)
  for (const sourceId of ownKeys(session.source_prepared_mapping)) {
    if (!nodes.has(sourceId) && !trieGet(item.nodes, sourceId)) nodes.set(sourceId, pendingNode(sourceId))
  }

  return {
    ...item,
    origin: item.origin ?? snapshot.origin ?? null,
    destination: item.destination ?? snapshot.destination ?? null,
    batchId: item.batchId ?? snapshot.batch_id ?? null,
    sessionId: item.sessionId ?? snapshot.session_id ?? session.id,
    userId: item.userId ?? snapshot.user_id ?? null,
    status: snapshot.status,
    statusSequence: snapshot.status_sequence ?? item.statusSequence,
    startedAt: snapshot.started_at ?? item.startedAt,
    error: snapshot.error_type
      ? {
          error_type: snapshot.error_type,
          error_message: snapshot.error_message ?? '',
          error_traceback: snapshot.error_traceback ?? null,
        }
      : item.error,
    copies: rewrite(item.copies, copies, changed),
    nodes:
      nodes.size > LARGE_REWRITE ? trieFrom([...nodeEntries(item), ...nodes]) : trieSetAll(item.nodes, nodes),
    nodeOrder: appendNew(item, nodes, copies, snapshot),
    orphanOutputs: orphans,
    deliveredOrphans,
    settled: isTerminalStatus(snapshot.status),
  }
}

/**
 * The node order with the nodes the snapshot introduced appended: in execution order, then in the order
 * of `source_prepared_mapping`, then the rest (a trie has no order of its own to offer).
 */
function appendNew(
  item: QueueItemExecution,
  nodes: Map<string, NodeRecord>,
  copies: Map<string, InvocationCopy>,
  snapshot: SessionQueueItem,
): OutputList<string> {
  let order = item.nodeOrder
  const added = new Set<string>()
  const consider = (nodeId: string | undefined) => {
    if (nodeId === undefined || added.has(nodeId) || !nodes.has(nodeId) || trieGet(item.nodes, nodeId)) return
    added.add(nodeId)
    order = listAppend(order, nodeId)
  }
  for (const id of historyOf(snapshot)) consider(copies.get(id)?.sourceNodeId ?? id)
  for (const sourceId of ownKeys(snapshot.session.source_prepared_mapping)) consider(sourceId)
  for (const nodeId of nodes.keys()) consider(nodeId)
  return order
}

function rebuildNodes(
  item: QueueItemExecution,
  copies: Map<string, InvocationCopy>,
  history: readonly string[],
  sessionErrors: Map<string, NodeError>,
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
      error: status === 'FAILED' ? (previous.error ?? sessionErrors.get(sourceId) ?? null) : previous.error,
      tally,
    })
  }
  return nodes
}
