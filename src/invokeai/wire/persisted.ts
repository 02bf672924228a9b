import type {
  ItemMeta,
  NodeError,
  PersistedCopy,
  PersistedRun,
} from '../../features/workflowExecution/model/types'
import type { InvocationOutput, SessionQueueItem } from './types'

/*
 * InvokeAI's persisted queue item, read as the model's neutral PersistedRun: the session's results,
 * errors and mappings become copies, `executed_history` the execution order.
 */

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

/** What a persisted item says of itself besides its status. */
export function metaOfQueueItem(snapshot: SessionQueueItem): ItemMeta {
  return {
    queueId: snapshot.queue_id ?? 'default',
    origin: snapshot.origin ?? null,
    destination: snapshot.destination ?? null,
    batchId: snapshot.batch_id ?? null,
    sessionId: snapshot.session_id ?? snapshot.session.id,
    userId: snapshot.user_id ?? null,
  }
}

/** Every prepared id either mapping names, with its source node (`prepared_source_mapping` wins). */
function preparedCopies(snapshot: SessionQueueItem): Map<string, string> {
  const copies = new Map<string, string>()
  const bySource = snapshot.session.source_prepared_mapping
  for (const sourceId of ownKeys(bySource))
    for (const preparedId of (bySource as Record<string, string[]>)[sourceId] as string[])
      copies.set(preparedId, sourceId)
  const byPrepared = snapshot.session.prepared_source_mapping
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
): Pick<PersistedCopy, 'invocationType' | 'isIntermediate'> {
  const node = nodes && Object.hasOwn(nodes, preparedId) ? nodes[preparedId] : undefined
  const fields = typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : {}
  const said: Pick<PersistedCopy, 'invocationType' | 'isIntermediate'> = {}
  if (typeof fields.type === 'string') said.invocationType = fields.type
  if (typeof fields.is_intermediate === 'boolean') said.isIntermediate = fields.is_intermediate
  return said
}

/** InvokeAI's `SessionQueueItem` (validated) as the model's PersistedRun. */
export function persistedRunOfQueueItem(snapshot: SessionQueueItem): PersistedRun {
  const { session } = snapshot
  const mapped = preparedCopies(snapshot)
  const graphNodes = executionGraphNodes(snapshot)
  const copies: PersistedCopy[] = []
  const results = (session.results ?? {}) as Record<string, InvocationOutput>
  for (const preparedId of Object.keys(results))
    copies.push({
      preparedId,
      sourceNodeId: mapped.get(preparedId) ?? null,
      outcome: 'completed',
      output: results[preparedId] as InvocationOutput,
      ...invocationOf(graphNodes, preparedId),
    })
  const errors = (session.errors ?? {}) as Record<string, string>
  for (const preparedId of Object.keys(errors))
    if (!Object.hasOwn(results, preparedId))
      copies.push({
        preparedId,
        sourceNodeId: mapped.get(preparedId) ?? null,
        outcome: 'failed',
        error: parseSessionError(errors[preparedId] as string),
        ...invocationOf(graphNodes, preparedId),
      })
  for (const [preparedId, sourceNodeId] of mapped)
    if (!Object.hasOwn(results, preparedId) && !Object.hasOwn(errors, preparedId))
      copies.push({ preparedId, sourceNodeId, outcome: 'prepared', ...invocationOf(graphNodes, preparedId) })
  return {
    status: snapshot.status,
    statusSequence: snapshot.status_sequence ?? null,
    startedAt: snapshot.started_at ?? null,
    error: snapshot.error_type
      ? {
          error_type: snapshot.error_type,
          error_message: snapshot.error_message ?? '',
          error_traceback: snapshot.error_traceback ?? null,
        }
      : null,
    meta: metaOfQueueItem(snapshot),
    copies,
    executionOrder: session.executed_history ?? session.executed ?? [],
    nodeIds: ownKeys(session.source_prepared_mapping),
  }
}
