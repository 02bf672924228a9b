// New queue rows and sessions, shared by enqueue (operations) and workflow calls (worker), and the
// sanitized view of a row that non-admins get for other users' items.
import { formatDate } from './payloads'
import { uuid } from './random'
import { REDACTED } from './users'
import type { Graph, QueueRow, SessionState } from './types'

export function emptySession(graph: Graph, id = uuid(), executionGraphId = uuid()): SessionState {
  return {
    id,
    graph,
    execution_graph: { id: executionGraphId, nodes: {}, edges: [] },
    executed: [],
    executed_history: [],
    results: {},
    errors: {},
    workflow_call_stack: [],
    workflow_call_history: [],
    max_workflow_call_depth: 4,
    prepared_source_mapping: {},
    source_prepared_mapping: {},
    prepared_iteration_paths: {},
    ready_order: [],
    indegree: {},
  }
}

export interface NewRow {
  itemId: number
  queueId: string
  batchId: string
  userId: string
  priority: number
  origin: string | null
  destination: string | null
  graph: Graph
}

export function createRow(spec: NewRow): QueueRow {
  const session = emptySession(structuredClone(spec.graph))
  const now = formatDate()
  return {
    item_id: spec.itemId,
    status: 'pending',
    status_sequence: 0,
    priority: spec.priority,
    batch_id: spec.batchId,
    origin: spec.origin,
    destination: spec.destination,
    session_id: session.id,
    error_type: null,
    error_message: null,
    error_traceback: null,
    created_at: now,
    updated_at: now,
    started_at: null,
    completed_at: null,
    queue_id: spec.queueId,
    user_id: spec.userId,
    session,
  }
}

/** Another user's item as a non-admin sees it: redacted ids, no origin, destination or errors, an empty session. */
export function sanitizedRow(row: QueueRow): QueueRow {
  return {
    ...row,
    batch_id: REDACTED,
    origin: null,
    destination: null,
    session_id: REDACTED,
    error_type: null,
    error_message: null,
    error_traceback: null,
    user_id: REDACTED,
    session: emptySession({ id: REDACTED, nodes: {}, edges: [] }, REDACTED, REDACTED),
  }
}
