import type { QueueStatus, SessionQueueItem } from '../src'

/*
 * Socket payloads in the shapes of docs/protocol.md (every field present, optional ones null), as
 * test/helpers/wire.ts builds them. Kept here so the bench depends on nothing but the package's public API.
 */

export interface ItemContext {
  itemId: number
  origin?: string
}

function base(ctx: ItemContext) {
  return {
    timestamp: 1787134502,
    queue_id: 'default',
    item_id: ctx.itemId,
    batch_id: `batch-${ctx.itemId}`,
    origin: ctx.origin ?? 'workflows',
    destination: 'gallery',
    user_id: 'system',
  }
}

export function statusChanged(ctx: ItemContext, status: QueueStatus, statusSequence: number) {
  return {
    ...base(ctx),
    status,
    status_sequence: statusSequence,
    error_type: null,
    error_message: null,
    error_traceback: null,
    created_at: '2026-08-19 10:15:01.882',
    updated_at: '2026-08-19 10:15:02.104',
    started_at: status === 'pending' ? null : '2026-08-19 10:15:02.104',
    completed_at: null,
    batch_status: {},
    queue_status: {},
    session_id: `session-${ctx.itemId}`,
  }
}

export function started(ctx: ItemContext, preparedId: string, sourceId: string) {
  return {
    ...base(ctx),
    session_id: `session-${ctx.itemId}`,
    invocation: { id: preparedId, type: 'denoise_latents', is_intermediate: false, use_cache: true },
    invocation_source_id: sourceId,
  }
}

export function progress(ctx: ItemContext, preparedId: string, sourceId: string, percentage: number) {
  return {
    ...started(ctx, preparedId, sourceId),
    message: 'Denoising',
    percentage,
    image: null,
    device: null,
  }
}

export function imageResult(name: string) {
  return { output_meta: null, image: { image_name: name }, width: 512, height: 512, type: 'image_output' }
}

export type ImageResult = ReturnType<typeof imageResult>

export function complete(ctx: ItemContext, preparedId: string, sourceId: string, result: ImageResult) {
  return { ...started(ctx, preparedId, sourceId), result }
}

export type StatusPayload = ReturnType<typeof statusChanged>
export type StartedPayload = ReturnType<typeof started>
export type ProgressPayload = ReturnType<typeof progress>
export type CompletePayload = ReturnType<typeof complete>

/** One socket event as the server pushes it: what every contestant is fed. */
export type WireEvent =
  | { name: 'queue_item_status_changed'; payload: StatusPayload }
  | { name: 'invocation_started'; payload: StartedPayload }
  | { name: 'invocation_progress'; payload: ProgressPayload }
  | { name: 'invocation_complete'; payload: CompletePayload }

export const wire = {
  status: (ctx: ItemContext, status: QueueStatus, sequence: number): WireEvent => ({
    name: 'queue_item_status_changed',
    payload: statusChanged(ctx, status, sequence),
  }),
  started: (ctx: ItemContext, preparedId: string, sourceId: string): WireEvent => ({
    name: 'invocation_started',
    payload: started(ctx, preparedId, sourceId),
  }),
  progress: (ctx: ItemContext, preparedId: string, sourceId: string, percentage: number): WireEvent => ({
    name: 'invocation_progress',
    payload: progress(ctx, preparedId, sourceId, percentage),
  }),
  complete: (ctx: ItemContext, preparedId: string, sourceId: string, imageName: string): WireEvent => ({
    name: 'invocation_complete',
    payload: complete(ctx, preparedId, sourceId, imageResult(imageName)),
  }),
}

/** A copy of the event with fresh objects and strings, as socket.io's JSON.parse would deliver it. */
export function fromTheWire(event: WireEvent): WireEvent {
  return JSON.parse(JSON.stringify(event)) as WireEvent
}

export interface PersistedCopy {
  preparedId: string
  /** Null: a result neither mapping attributes to a source node (an orphan). */
  sourceId: string | null
  result: ImageResult
}

/** A completed item as `GET /api/v1/queue/{queue_id}/i/{item_id}` returns it (REST omits null fields). */
export function persistedItem(ctx: ItemContext, statusSequence: number, copies: PersistedCopy[]) {
  const results: Record<string, Omit<ImageResult, 'output_meta'>> = {}
  const preparedSource: Record<string, string> = {}
  const sourcePrepared: Record<string, string[]> = {}
  for (const copy of copies) {
    const { output_meta: _omitted, ...result } = copy.result
    results[copy.preparedId] = result
    if (copy.sourceId === null) continue
    preparedSource[copy.preparedId] = copy.sourceId
    const list = sourcePrepared[copy.sourceId]
    if (list) list.push(copy.preparedId)
    else sourcePrepared[copy.sourceId] = [copy.preparedId]
  }
  const executed = copies.map((copy) => copy.preparedId)
  return {
    item_id: ctx.itemId,
    status: 'completed',
    status_sequence: statusSequence,
    queue_id: 'default',
    batch_id: `batch-${ctx.itemId}`,
    origin: ctx.origin ?? 'workflows',
    destination: 'gallery',
    session_id: `session-${ctx.itemId}`,
    user_id: 'system',
    created_at: '2026-08-19 10:15:01.882',
    updated_at: '2026-08-19 10:15:02.391',
    started_at: '2026-08-19 10:15:02.104',
    session: {
      id: `session-${ctx.itemId}`,
      results,
      errors: {},
      prepared_source_mapping: preparedSource,
      source_prepared_mapping: sourcePrepared,
      executed,
      executed_history: executed,
    },
  } as SessionQueueItem
}
