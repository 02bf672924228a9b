import type { QueueStatus, SessionQueueItem } from '../../src'

/** Wire payloads in the shapes docs/protocol.md describes, with every socket field present. */

export interface ItemContext {
  itemId: number
  origin?: string | null
  destination?: string | null
  userId?: string | null
  batchId?: string
  sessionId?: string
}

function base(ctx: ItemContext) {
  return {
    timestamp: 1787134502,
    queue_id: 'default',
    item_id: ctx.itemId,
    batch_id: ctx.batchId ?? `batch-${ctx.itemId}`,
    origin: ctx.origin === undefined ? 'workflows' : ctx.origin,
    destination: ctx.destination === undefined ? 'gallery' : ctx.destination,
    user_id: ctx.userId === undefined ? 'system' : ctx.userId,
  }
}

export function statusChanged(
  ctx: ItemContext,
  status: QueueStatus,
  statusSequence: number | null,
  error?: { type: string; message: string },
  startedAt: string | null = null,
) {
  return {
    ...base(ctx),
    status,
    status_sequence: statusSequence,
    error_type: error?.type ?? null,
    error_message: error?.message ?? null,
    error_traceback: error ? 'Traceback (most recent call last): ...' : null,
    created_at: '2026-08-19 10:15:01.882',
    updated_at: '2026-08-19 10:15:02.104',
    started_at: startedAt,
    completed_at: null,
    batch_status: {},
    queue_status: {},
    session_id: ctx.sessionId ?? `session-${ctx.itemId}`,
  }
}

function invocationBase(ctx: ItemContext, preparedId: string, sourceId: string, type = 'add') {
  return {
    ...base(ctx),
    session_id: ctx.sessionId ?? `session-${ctx.itemId}`,
    invocation: { id: preparedId, type, is_intermediate: false, use_cache: true },
    invocation_source_id: sourceId,
  }
}

export function started(ctx: ItemContext, preparedId: string, sourceId: string) {
  return invocationBase(ctx, preparedId, sourceId)
}

export function progress(
  ctx: ItemContext,
  preparedId: string,
  sourceId: string,
  percentage: number | null,
  image: { width: number; height: number; dataURL: string } | null = null,
) {
  return {
    ...invocationBase(ctx, preparedId, sourceId),
    message: 'Denoising',
    percentage,
    image,
    device: null,
  }
}

export function imageResult(name: string) {
  return { output_meta: null, image: { image_name: name }, width: 512, height: 512, type: 'image_output' }
}

export function complete(
  ctx: ItemContext,
  preparedId: string,
  sourceId: string,
  result: Record<string, unknown>,
) {
  return { ...invocationBase(ctx, preparedId, sourceId), result }
}

export function invocationError(ctx: ItemContext, preparedId: string, sourceId: string, type = 'ValueError') {
  return {
    ...invocationBase(ctx, preparedId, sourceId),
    error_type: type,
    error_message: 'bad input',
    error_traceback: 'Traceback (most recent call last): ...',
  }
}

export interface PersistedCopy {
  preparedId: string
  sourceId: string
  result?: Record<string, unknown>
  error?: string
}

/** A persisted `SessionQueueItem` as REST returns it (null fields omitted). */
export function persistedItem(
  ctx: ItemContext,
  status: QueueStatus,
  statusSequence: number,
  copies: PersistedCopy[],
  options: {
    omitFromSourceMapping?: string[]
    omitFromPreparedMapping?: string[]
    /** `session.execution_graph.nodes` by prepared id: the invocation's type and intermediacy. */
    graph?: Record<string, { type: string; is_intermediate?: boolean }>
  } = {},
): SessionQueueItem {
  const results: Record<string, Record<string, unknown>> = {}
  const errors: Record<string, string> = {}
  const preparedSource: Record<string, string> = {}
  const sourcePrepared: Record<string, string[]> = {}
  for (const copy of copies) {
    if (copy.result) results[copy.preparedId] = stripNulls(copy.result)
    if (copy.error) errors[copy.preparedId] = copy.error
    if (!options.omitFromPreparedMapping?.includes(copy.preparedId))
      preparedSource[copy.preparedId] = copy.sourceId
    if (!options.omitFromSourceMapping?.includes(copy.preparedId)) {
      sourcePrepared[copy.sourceId] = [...(sourcePrepared[copy.sourceId] ?? []), copy.preparedId]
    }
  }
  const executed = copies.filter((copy) => copy.result || copy.error).map((copy) => copy.preparedId)
  return {
    item_id: ctx.itemId,
    status,
    status_sequence: statusSequence,
    queue_id: 'default',
    batch_id: ctx.batchId ?? `batch-${ctx.itemId}`,
    origin: ctx.origin === undefined ? 'workflows' : (ctx.origin ?? undefined),
    destination: ctx.destination === undefined ? 'gallery' : (ctx.destination ?? undefined),
    session_id: ctx.sessionId ?? `session-${ctx.itemId}`,
    user_id: ctx.userId === undefined ? 'system' : (ctx.userId ?? undefined),
    created_at: '2026-08-19 10:15:01.882',
    updated_at: '2026-08-19 10:15:02.391',
    session: {
      id: ctx.sessionId ?? `session-${ctx.itemId}`,
      ...(options.graph
        ? {
            execution_graph: {
              id: 'execution-graph',
              nodes: Object.fromEntries(
                Object.entries(options.graph).map(([id, node]) => [id, { id, ...node }]),
              ),
              edges: [],
            },
          }
        : {}),
      results: results as SessionQueueItem['session']['results'],
      errors,
      prepared_source_mapping: preparedSource,
      source_prepared_mapping: sourcePrepared,
      executed,
      executed_history: executed,
    },
  } as SessionQueueItem
}

/** REST omits null fields where the socket sends them: compare outputs without them. */
export function stripNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripNulls) as T
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, stripNulls(v)]),
    ) as T
  }
  return value
}
