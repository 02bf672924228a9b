import type { ItemMeta, ModelEvent, NodeError } from '../model/types'
import type {
  InvocationCompleteEvent,
  InvocationErrorEvent,
  InvocationProgressEvent,
  InvocationStartedEvent,
  QueueItemStatusChangedEvent,
} from '../wire/types'

/** Companions sent to other users on 6.14 multi-user servers carry this instead of ids. */
const REDACTED = 'redacted'

type QueueItemEvent = QueueItemStatusChangedEvent | InvocationStartedEvent

function metaOf(payload: QueueItemEvent): ItemMeta {
  return {
    queueId: payload.queue_id,
    origin: payload.origin ?? null,
    destination: payload.destination ?? null,
    batchId: payload.batch_id ?? null,
    sessionId: (payload as { session_id?: string | null }).session_id ?? null,
    userId: payload.user_id ?? null,
  }
}

function isRedacted(payload: QueueItemEvent): boolean {
  return payload.user_id === REDACTED
}

export function statusEvent(payload: QueueItemStatusChangedEvent): ModelEvent {
  const error: NodeError | null = payload.error_type
    ? {
        error_type: payload.error_type,
        error_message: payload.error_message ?? '',
        error_traceback: payload.error_traceback ?? null,
      }
    : null
  return {
    kind: 'status',
    status: payload.status,
    statusSequence: payload.status_sequence ?? null,
    startedAt: payload.started_at ?? null,
    error,
    meta: metaOf(payload),
    redacted: isRedacted(payload),
  }
}

function invocationBase(payload: InvocationStartedEvent) {
  return {
    kind: 'invocation' as const,
    preparedId: payload.invocation.id,
    sourceNodeId: payload.invocation_source_id,
    meta: metaOf(payload),
    redacted: isRedacted(payload),
  }
}

export function startedEvent(payload: InvocationStartedEvent): ModelEvent {
  return { ...invocationBase(payload), phase: 'started' }
}

export function progressEvent(payload: InvocationProgressEvent): ModelEvent {
  return {
    ...invocationBase(payload),
    phase: 'progress',
    percentage: payload.percentage ?? null,
    image: payload.image ?? null,
  }
}

export function completeEvent(payload: InvocationCompleteEvent): ModelEvent {
  return { ...invocationBase(payload), phase: 'complete', output: payload.result }
}

export function errorEvent(payload: InvocationErrorEvent): ModelEvent {
  return {
    ...invocationBase(payload),
    phase: 'error',
    error: {
      error_type: payload.error_type,
      error_message: payload.error_message,
      error_traceback: payload.error_traceback ?? null,
    },
  }
}
