import { REDACTED } from '../../features/workflowExecution/model/guards'
import type { ItemMeta, ModelEvent, NodeError } from '../../features/workflowExecution/model/types'
import type {
  InvocationCompleteEvent,
  InvocationErrorEvent,
  InvocationProgressEvent,
  InvocationStartedEvent,
  QueueItemStatusChangedEvent,
} from '../wire/types'

type QueueItemEvent = QueueItemStatusChangedEvent | InvocationStartedEvent

function metaOf(payload: QueueItemEvent): ItemMeta {
  return {
    queueId: payload.queue_id,
    origin: payload.origin ?? null,
    destination: payload.destination ?? null,
    batchId: payload.batch_id ?? null,
    sessionId: ('session_id' in payload ? payload.session_id : null) ?? null,
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

/*
 * Each model event is built as one flat object literal: no spreads of a shared base, no intermediate
 * objects besides the item metadata.
 */

function intermediateOf(invocation: Readonly<Record<string, unknown>>): boolean | null {
  return typeof invocation.is_intermediate === 'boolean' ? invocation.is_intermediate : null
}

export function startedEvent(payload: InvocationStartedEvent): ModelEvent {
  return {
    kind: 'invocation',
    phase: 'started',
    preparedId: payload.invocation.id,
    sourceNodeId: payload.invocation_source_id,
    meta: metaOf(payload),
    redacted: isRedacted(payload),
    invocationType: payload.invocation.type ?? null,
    isIntermediate: intermediateOf(payload.invocation),
  }
}

export function progressEvent(payload: InvocationProgressEvent): ModelEvent {
  return {
    kind: 'invocation',
    phase: 'progress',
    preparedId: payload.invocation.id,
    sourceNodeId: payload.invocation_source_id,
    meta: metaOf(payload),
    redacted: isRedacted(payload),
    percentage: payload.percentage ?? null,
    image: payload.image ?? null,
  }
}

export function completeEvent(payload: InvocationCompleteEvent): ModelEvent {
  return {
    kind: 'invocation',
    phase: 'complete',
    preparedId: payload.invocation.id,
    sourceNodeId: payload.invocation_source_id,
    meta: metaOf(payload),
    redacted: isRedacted(payload),
    output: payload.result,
    invocationType: payload.invocation.type ?? null,
    isIntermediate: intermediateOf(payload.invocation),
  }
}

export function errorEvent(payload: InvocationErrorEvent): ModelEvent {
  return {
    kind: 'invocation',
    phase: 'error',
    preparedId: payload.invocation.id,
    sourceNodeId: payload.invocation_source_id,
    meta: metaOf(payload),
    redacted: isRedacted(payload),
    error: {
      error_type: payload.error_type,
      error_message: payload.error_message,
      error_traceback: payload.error_traceback ?? null,
    },
  }
}
