import { persistedRunOfQueueItem } from '../../../../invokeai/wire/persisted'
import { expect } from 'vitest'
import { createQueueItemExecution, transition } from '../transition'
import type {
  CopyStatus,
  ItemMeta,
  ModelEvent,
  NodeError,
  QueueItemExecution,
  TransitionContext,
  TransitionResult,
} from '../types'
import type {
  GraphExecutionSession,
  InvocationOutput,
  ProgressImage,
  QueueStatus,
  SessionQueueItem,
} from '../../../../invokeai/wire/types'

/*
 * Small builders for model events and items, so a test reads as the scenario it walks.
 */

export const ITEM_ID = 7

export function meta(overrides: Partial<ItemMeta> = {}): ItemMeta {
  return {
    queueId: 'default',
    origin: 'workflows',
    destination: 'gallery',
    batchId: 'batch-1',
    sessionId: 'session-1',
    userId: 'system',
    ...overrides,
  }
}

export function status(
  value: QueueStatus,
  options: {
    seq?: number | null
    error?: NodeError | null
    redacted?: boolean
    meta?: Partial<ItemMeta>
    startedAt?: string | null
  } = {},
): ModelEvent {
  return {
    kind: 'status',
    status: value,
    statusSequence: options.seq ?? null,
    startedAt: options.startedAt ?? null,
    error: options.error ?? null,
    meta: meta(options.meta),
    redacted: options.redacted ?? false,
  }
}

type InvocationOptions = { redacted?: boolean; meta?: Partial<ItemMeta> }

function invocationBase(preparedId: string, sourceNodeId: string, options: InvocationOptions) {
  return {
    kind: 'invocation' as const,
    preparedId,
    sourceNodeId,
    meta: meta(options.meta),
    redacted: options.redacted ?? false,
  }
}

export function started(
  preparedId: string,
  sourceNodeId: string,
  options: InvocationOptions = {},
): ModelEvent {
  return { ...invocationBase(preparedId, sourceNodeId, options), phase: 'started' }
}

export function progress(
  preparedId: string,
  sourceNodeId: string,
  options: InvocationOptions & { percentage?: number | null; image?: ProgressImage | null } = {},
): ModelEvent {
  return {
    ...invocationBase(preparedId, sourceNodeId, options),
    phase: 'progress',
    percentage: options.percentage ?? null,
    image: options.image ?? null,
  }
}

export function output(value: number | string, type = 'integer_output'): InvocationOutput {
  return { type, value }
}

export function complete(
  preparedId: string,
  sourceNodeId: string,
  result: InvocationOutput = output(preparedId),
  options: InvocationOptions = {},
): ModelEvent {
  return { ...invocationBase(preparedId, sourceNodeId, options), phase: 'complete', output: result }
}

export function nodeError(message = 'boom', type = 'ValueError'): NodeError {
  return { error_type: type, error_message: message, error_traceback: 'Traceback: ...' }
}

export function error(
  preparedId: string,
  sourceNodeId: string,
  err: NodeError = nodeError(),
  options: InvocationOptions = {},
): ModelEvent {
  return { ...invocationBase(preparedId, sourceNodeId, options), phase: 'error', error: err }
}

export function image(dataURL = 'data:image/webp;base64,AAAA', width = 64, height = 64): ProgressImage {
  return { dataURL, width, height }
}

export const cancel = (cause: 'queue_cleared' | 'queue_items_canceled' = 'queue_cleared'): ModelEvent => ({
  kind: 'cancel',
  cause,
  queueId: 'default',
})

export const reconcileRequested = (requestId: string): ModelEvent => ({
  kind: 'reconcile_requested',
  requestId,
})

export const snapshotEvent = (requestId: string, snapshot: SessionQueueItem): ModelEvent => ({
  kind: 'snapshot',
  requestId,
  snapshot: persistedRunOfQueueItem(snapshot),
})

export const snapshotGone = (requestId: string): ModelEvent => ({ kind: 'snapshot_gone', requestId })

export const reconcileFailed = (requestId: string, final: boolean, message = 'HTTP 500'): ModelEvent => ({
  kind: 'reconcile_failed',
  requestId,
  error: message,
  final,
})

export const reconcileAborted = (requestId: string): ModelEvent => ({ kind: 'reconcile_aborted', requestId })

/** A persisted queue item as REST returns it (null fields omitted). */
export function persistedItem(
  itemStatus: QueueStatus,
  session: Partial<GraphExecutionSession> = {},
  options: { itemId?: number; seq?: number; error?: { type: string; message: string } } = {},
): SessionQueueItem {
  const item: SessionQueueItem = {
    item_id: options.itemId ?? ITEM_ID,
    status: itemStatus,
    queue_id: 'default',
    batch_id: 'batch-1',
    origin: 'workflows',
    destination: 'gallery',
    session_id: 'session-1',
    session: { id: 'session-1', ...session },
  }
  if (options.seq !== undefined) item.status_sequence = options.seq
  if (options.error) {
    item.error_type = options.error.type
    item.error_message = options.error.message
  }
  return item
}

/** Runs events through the model, one after another. */
export function run(item: QueueItemExecution, ...events: ModelEvent[]): QueueItemExecution {
  return events.reduce((state, event) => transition(state, event).state, item)
}

export function fresh(itemId = ITEM_ID): QueueItemExecution {
  return createQueueItemExecution(itemId, meta())
}

/** An item whose queue status is `value` (reached by legal steps, without status sequences). */
export function itemIn(value: QueueStatus | null, ...after: ModelEvent[]): QueueItemExecution {
  const base = fresh()
  const path: ModelEvent[] =
    value === null
      ? []
      : value === 'pending'
        ? [status('pending')]
        : value === 'waiting'
          ? [status('in_progress'), status('waiting')]
          : value === 'in_progress'
            ? [status('in_progress')]
            : [status('in_progress'), status(value)]
  const item = run(base, ...path, ...after)
  return item
}

/** An item whose copy `preparedId` of node `sourceNodeId` is in `copy` state, queue in_progress. */
export function itemWithCopy(
  copy: CopyStatus | 'unknown',
  preparedId = 'p1',
  sourceNodeId = 'n1',
): QueueItemExecution {
  const item = itemIn('in_progress')
  switch (copy) {
    case 'unknown':
      return item
    case 'in_progress':
      return run(item, started(preparedId, sourceNodeId))
    case 'completed':
      return run(item, started(preparedId, sourceNodeId), complete(preparedId, sourceNodeId))
    case 'failed':
      return run(item, started(preparedId, sourceNodeId), error(preparedId, sourceNodeId))
    case 'canceled':
      // A copy is canceled only when its item stops while it runs.
      return run(item, started(preparedId, sourceNodeId), status('canceled'))
  }
}

export function step(
  item: QueueItemExecution,
  event: ModelEvent,
  context?: TransitionContext,
): TransitionResult {
  return transition(item, event, context)
}

/** An ignored event changes nothing but the decision record. */
export function expectUnchanged(before: QueueItemExecution, after: QueueItemExecution): void {
  for (const key of Object.keys(before) as (keyof QueueItemExecution)[]) {
    if (key === 'decisions') continue
    expect(after[key], `field ${key}`).toBe(before[key])
  }
  expect(after.decisions.total).toBe(before.decisions.total + 1)
}

/** Deep copy without null-valued fields: socket results carry `output_meta: null`, REST omits nulls. */
export function withoutNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutNulls) as T
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, inner] of Object.entries(value)) if (inner !== null) out[key] = withoutNulls(inner)
    return out as T
  }
  return value
}

export { copyOf, nodeOf, nodesOf } from '../read'

/** A node served from the server's cache (ComfyUI's `execution_cached`, one per node). */
export function cached(
  preparedId: string,
  sourceNodeId: string,
  options: InvocationOptions = {},
): ModelEvent {
  return { ...invocationBase(preparedId, sourceNodeId, options), phase: 'cached' }
}

/** A non-terminal node error (ComfyUI's `ExecutionBlocked`). */
export function blocked(
  preparedId: string,
  sourceNodeId: string,
  message = 'blocked by an ExecutionBlocker',
  options: InvocationOptions = {},
): ModelEvent {
  return {
    ...invocationBase(preparedId, sourceNodeId, options),
    phase: 'blocked',
    error: { error_type: 'ExecutionBlocked', error_message: message, error_traceback: null },
  }
}

/** A whole-item progress snapshot: node id → running fraction, or 'finished' (prepared id = node id). */
export function progressState(
  nodes: Record<string, number | 'finished'>,
  options: { meta?: Partial<ItemMeta> } = {},
): ModelEvent {
  return {
    kind: 'progress_state',
    meta: meta(options.meta),
    redacted: false,
    nodes: Object.entries(nodes).map(([nodeId, value]) => ({
      preparedId: nodeId,
      sourceNodeId: nodeId,
      state: value === 'finished' ? ('finished' as const) : ('running' as const),
      percentage: value === 'finished' ? 1 : value,
    })),
  }
}
