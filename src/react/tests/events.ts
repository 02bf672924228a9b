import type {
  InvocationCompleteEvent,
  InvocationProgressEvent,
  InvocationStartedEvent,
  QueueItemStatusChangedEvent,
} from '../../invokeai/wire/types'

/*
 * Small wire payloads for the hook scenarios: only the fields the schemas require, with the node's
 * prepared id equal to its source id (one copy per node; no iterate).
 */

interface Target {
  itemId: number
  origin?: string
}

function base({ itemId, origin = 'workflows' }: Target) {
  return {
    queue_id: 'default',
    item_id: itemId,
    batch_id: `batch-${itemId}`,
    origin,
    destination: null,
    user_id: 'system',
  }
}

function invocation(target: Target, nodeId: string) {
  return {
    ...base(target),
    session_id: `session-${target.itemId}`,
    invocation: { id: `${nodeId}-copy`, type: 'denoise' },
    invocation_source_id: nodeId,
  }
}

export function statusChanged(
  target: Target,
  status: QueueItemStatusChangedEvent['status'],
  sequence: number,
): QueueItemStatusChangedEvent {
  return { ...base(target), status, status_sequence: sequence, session_id: `session-${target.itemId}` }
}

export function started(target: Target, nodeId: string): InvocationStartedEvent {
  return invocation(target, nodeId)
}

export function progress(target: Target, nodeId: string, percentage: number): InvocationProgressEvent {
  return { ...invocation(target, nodeId), message: 'Denoising', percentage, image: null }
}

export function completed(target: Target, nodeId: string): InvocationCompleteEvent {
  return { ...invocation(target, nodeId), result: { type: 'latents_output' } }
}
