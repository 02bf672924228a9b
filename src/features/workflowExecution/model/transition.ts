import { decide, eventKeyOf } from './decide'
import { recordDecision, emptyDecisionRing } from './decisions'
import { cancelRunningCopies, changeCopy, emptyNodeMaps, storableImage } from './nodes'
import { applySnapshot, isTerminalStatus } from './snapshot'
import type {
  ItemMeta,
  ModelEvent,
  NodeTally,
  QueueItemExecution,
  TransitionContext,
  TransitionResult,
} from './types'
import { getOwn } from './records'

export function createQueueItemExecution(itemId: number, meta: Partial<ItemMeta> = {}): QueueItemExecution {
  return {
    itemId,
    queueId: meta.queueId ?? 'default',
    origin: meta.origin ?? null,
    destination: meta.destination ?? null,
    batchId: meta.batchId ?? null,
    sessionId: meta.sessionId ?? null,
    userId: meta.userId ?? null,
    status: null,
    statusSequence: null,
    startedAt: null,
    error: null,
    ...emptyNodeMaps(),
    deliveredOutputs: {},
    orphanOutputs: [],
    reconciliation: { requestId: null, phase: 'idle', attempts: 0, lastError: null, snapshotStatus: null },
    settled: false,
    decisions: emptyDecisionRing(),
    lastTouched: 0,
  }
}

/**
 * The model: what one event does to one queue item. Pure; the rule table decides apply or ignore, and
 * the decision is recorded on the item, so an ignored event is visible too.
 */
export function transition(
  item: QueueItemExecution,
  event: ModelEvent,
  context: TransitionContext = {},
): TransitionResult {
  const { applied, rule } = decide(item, event, context)
  const decision = { applied, rule }
  const next = applied ? applyEvent(item, event) : item
  return {
    state: { ...next, decisions: recordDecision(next.decisions, decision, eventKeyOf(event)) },
    decision,
  }
}

/** Fills what the item does not know yet; an event never erases what an earlier one said. */
function withMeta(item: QueueItemExecution, meta: ItemMeta): QueueItemExecution {
  return {
    ...item,
    origin: item.origin ?? meta.origin,
    destination: item.destination ?? meta.destination,
    batchId: item.batchId ?? meta.batchId,
    sessionId: item.sessionId ?? meta.sessionId,
    userId: item.userId ?? meta.userId,
  }
}

/** Terminal status: the item stops, so no copy of it is left running. */
function stop(item: QueueItemExecution, status: 'completed' | 'failed' | 'canceled'): QueueItemExecution {
  return cancelRunningCopies({ ...item, status })
}

function settle(item: QueueItemExecution): QueueItemExecution {
  return { ...cancelRunningCopies(item), settled: true }
}

function applyEvent(item: QueueItemExecution, event: ModelEvent): QueueItemExecution {
  switch (event.kind) {
    case 'status': {
      const next: QueueItemExecution = {
        ...withMeta(item, event.meta),
        statusSequence: event.statusSequence ?? item.statusSequence,
        startedAt: event.startedAt ?? item.startedAt,
        error: event.error ?? item.error,
      }
      return isTerminalStatus(event.status)
        ? stop(next, event.status as 'completed' | 'failed' | 'canceled')
        : { ...next, status: event.status }
    }
    case 'invocation':
      return applyInvocation(withMeta(item, event.meta), event)
    case 'cancel':
      return stop(item, 'canceled')
    case 'reconcile_requested':
      return {
        ...item,
        reconciliation: {
          ...item.reconciliation,
          requestId: event.requestId,
          phase: 'pending',
          attempts: 0,
          lastError: null,
        },
      }
    case 'snapshot': {
      const reconciliation = {
        ...item.reconciliation,
        phase: 'done' as const,
        snapshotStatus: event.snapshot.status,
      }
      return isTerminalStatus(event.snapshot.status)
        ? { ...applySnapshot(item, event.snapshot), reconciliation }
        : { ...item, startedAt: event.snapshot.started_at ?? item.startedAt, reconciliation }
    }
    case 'snapshot_gone': {
      const reconciliation = {
        ...item.reconciliation,
        phase: 'done' as const,
        snapshotStatus: 'gone' as const,
      }
      const stopped = isTerminalStatus(item.status) ? item : stop(item, 'canceled')
      return { ...settle(stopped), reconciliation }
    }
    case 'reconcile_failed': {
      const reconciliation = {
        ...item.reconciliation,
        phase: event.final ? ('gave_up' as const) : ('failed' as const),
        attempts: item.reconciliation.attempts + 1,
        lastError: event.error,
      }
      // Given up: a terminal item counts as settled for eviction; the next reconnect tries again.
      const next = { ...item, reconciliation }
      return event.final && isTerminalStatus(item.status) ? settle(next) : next
    }
    case 'reconcile_aborted':
      return { ...item, reconciliation: { ...item.reconciliation, phase: 'aborted' } }
  }
}

function applyInvocation(
  item: QueueItemExecution,
  event: Extract<ModelEvent, { kind: 'invocation' }>,
): QueueItemExecution {
  const { preparedId, sourceNodeId } = event
  const existing = getOwn(item.copies, preparedId)
  switch (event.phase) {
    case 'started':
      return changeCopy(item, {
        preparedId,
        sourceNodeId,
        status: 'in_progress',
        node: () => ({ progress: null }),
      })
    case 'progress': {
      const image = storableImage(event.image)
      return changeCopy(item, {
        preparedId,
        sourceNodeId,
        status: existing?.status === 'canceled' ? 'canceled' : 'in_progress',
        imageFrom: image ? preparedId : undefined,
        node: (node, tally) => ({
          progress: event.percentage ?? null,
          progressImage: image ?? (keepsImage(item, tally) ? node.progressImage : null),
        }),
      })
    }
    case 'complete': {
      const output = event.output ?? null
      return changeCopy(item, {
        preparedId,
        sourceNodeId,
        status: 'completed',
        output,
        node: (node) => ({
          progress: node.progress === null ? null : 1,
          outputs: output ? [...node.outputs, output] : node.outputs,
        }),
      })
    }
    case 'error':
      return changeCopy(item, {
        preparedId,
        sourceNodeId,
        status: 'failed',
        node: () => ({ progress: null, progressImage: null, error: event.error ?? null }),
      })
  }
}

/** A progress event without an image keeps the last image while the copy that sent it still runs. */
function keepsImage(item: QueueItemExecution, tally: NodeTally): boolean {
  return tally.imageFrom !== null && getOwn(item.copies, tally.imageFrom)?.status === 'in_progress'
}
