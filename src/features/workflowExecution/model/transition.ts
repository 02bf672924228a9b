import { decide, eventKeyOf } from './decide'
import { recordDecision, emptyDecisionRing } from './decisions'
import {
  cancelRunningCopies,
  changeCopy,
  emptyNodeMaps,
  RESET,
  storableImage,
  type CopyFields,
} from './nodes'
import { markDelivered } from './delivery'
import type { Rule } from './rules'
import { applySnapshot, isTerminalStatus } from './snapshot'
import { emptyTrie, trieGet, trieHas } from './structures/hashTrie'
import type {
  ItemMeta,
  ModelEvent,
  ProgressStateEntry,
  QueueItemExecution,
  TransitionContext,
  TransitionResult,
} from './types'

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
    orphanOutputs: [],
    deliveredOrphans: emptyTrie(),
    reconciliation: { requestId: null, phase: 'idle', attempts: 0, lastError: null, snapshotStatus: null },
    settled: false,
    decisions: emptyDecisionRing(),
    lastTouched: 0,
  }
}

/**
 * The model: what one event does to one queue item. Pure; the rule table decides apply or ignore, and
 * the decision is recorded on the item, so an ignored event is visible too. The item is copied once.
 */
export function transition(
  item: QueueItemExecution,
  event: ModelEvent,
  context: TransitionContext = {},
): TransitionResult {
  const { applied, rule, row } = decide(item, event, context)
  const decision = { applied, rule }
  const decisions = recordDecision(item.decisions, decision, eventKeyOf(event))
  const lastTouched = context.touchedAt ?? item.lastTouched
  if (applied && row.effect === 'replace') {
    // A new run under a reused id: the event applies to a new entity (its own row decides), which keeps
    // the old one's decisions so the replacement is visible.
    const replacement = { ...replacementOf(item, event), decisions, lastTouched }
    return { state: transition(replacement, event, { ...context, untracked: false }).state, decision }
  }
  const changes = applied ? changesOf(item, event, row) : NO_CHANGES
  return { state: nextItem(item, changes, decisions, lastTouched), decision }
}

function replacementOf(item: QueueItemExecution, event: ModelEvent): QueueItemExecution {
  switch (event.kind) {
    case 'status':
    case 'invocation':
    case 'progress_state':
      return createQueueItemExecution(item.itemId, event.meta)
    case 'snapshot':
      // The answer to the item's own request: the new entity keeps that request as its current one.
      return {
        ...createQueueItemExecution(item.itemId, event.snapshot.meta),
        reconciliation: item.reconciliation,
      }
    case 'hydrated':
      return createQueueItemExecution(item.itemId, event.snapshot.meta)
    default:
      return item
  }
}

const NO_CHANGES: ItemChanges = {}

/**
 * The next item as one literal of one shape: spreading an item and its changes into a new object is
 * several times slower in V8, and every item keeps the same hidden class.
 */
function nextItem(
  item: QueueItemExecution,
  changes: ItemChanges,
  decisions: QueueItemExecution['decisions'],
  lastTouched: number,
): QueueItemExecution {
  return {
    itemId: item.itemId,
    queueId: changes.queueId === undefined ? item.queueId : changes.queueId,
    origin: changes.origin === undefined ? item.origin : changes.origin,
    destination: changes.destination === undefined ? item.destination : changes.destination,
    batchId: changes.batchId === undefined ? item.batchId : changes.batchId,
    sessionId: changes.sessionId === undefined ? item.sessionId : changes.sessionId,
    userId: changes.userId === undefined ? item.userId : changes.userId,
    status: changes.status === undefined ? item.status : changes.status,
    statusSequence: changes.statusSequence === undefined ? item.statusSequence : changes.statusSequence,
    startedAt: changes.startedAt === undefined ? item.startedAt : changes.startedAt,
    error: changes.error === undefined ? item.error : changes.error,
    copies: changes.copies === undefined ? item.copies : changes.copies,
    nodes: changes.nodes === undefined ? item.nodes : changes.nodes,
    nodeOrder: changes.nodeOrder === undefined ? item.nodeOrder : changes.nodeOrder,
    orphanOutputs: changes.orphanOutputs === undefined ? item.orphanOutputs : changes.orphanOutputs,
    deliveredOrphans:
      changes.deliveredOrphans === undefined ? item.deliveredOrphans : changes.deliveredOrphans,
    reconciliation: changes.reconciliation === undefined ? item.reconciliation : changes.reconciliation,
    settled: changes.settled === undefined ? item.settled : changes.settled,
    decisions,
    lastTouched,
  }
}

type ItemChanges = Partial<QueueItemExecution>

/** Fills what the item does not know yet; an event never erases what an earlier one said. */
function metaChanges(item: QueueItemExecution, meta: ItemMeta, into: ItemChanges): ItemChanges {
  if (item.origin === null && meta.origin !== null) into.origin = meta.origin
  if (item.destination === null && meta.destination !== null) into.destination = meta.destination
  if (item.batchId === null && meta.batchId !== null) into.batchId = meta.batchId
  if (item.sessionId === null && meta.sessionId !== null) into.sessionId = meta.sessionId
  if (item.userId === null && meta.userId !== null) into.userId = meta.userId
  return into
}

/** Terminal status: the item stops, so no copy of it is left running. */
function stopped(item: CopyFields, status: 'completed' | 'failed' | 'canceled'): ItemChanges {
  return { ...cancelRunningCopies(item), status }
}

function changesOf(item: QueueItemExecution, event: ModelEvent, row: Rule): ItemChanges {
  switch (event.kind) {
    case 'status': {
      const changes = metaChanges(item, event.meta, {})
      if (event.statusSequence !== null) changes.statusSequence = event.statusSequence
      if (event.startedAt != null) changes.startedAt = event.startedAt
      if (event.error) changes.error = event.error
      return isTerminalStatus(event.status)
        ? Object.assign(changes, stopped(item, event.status as 'completed' | 'failed' | 'canceled'))
        : Object.assign(changes, { status: event.status })
    }
    case 'invocation': {
      const changes = metaChanges(item, event.meta, invocationChanges(item, event))
      // I4: a copy runs, so its item runs.
      if (row.id === 'I4') changes.status = 'in_progress'
      return changes
    }
    case 'progress_state': {
      const changes = metaChanges(item, event.meta, progressStateChanges(item, event.nodes))
      if (item.status === null || item.status === 'pending') changes.status = 'in_progress'
      return changes
    }
    case 'cancel':
      return stopped(item, 'canceled')
    case 'reconcile_requested':
      return {
        reconciliation: {
          ...item.reconciliation,
          requestId: event.requestId,
          phase: 'pending',
          attempts: 0,
          lastError: null,
        },
      }
    case 'snapshot': {
      // R7: another user's sanitized row under this id: the run known here is gone, as R3 says.
      if (row.id === 'R7') return changesOf(item, { kind: 'snapshot_gone', requestId: event.requestId }, row)
      const reconciliation = {
        ...item.reconciliation,
        phase: 'done' as const,
        snapshotStatus: event.snapshot.status,
      }
      return isTerminalStatus(event.snapshot.status)
        ? { ...applySnapshot(item, event.snapshot), reconciliation }
        : { startedAt: event.snapshot.startedAt ?? item.startedAt, reconciliation }
    }
    case 'snapshot_gone': {
      const reconciliation = {
        ...item.reconciliation,
        phase: 'done' as const,
        snapshotStatus: 'gone' as const,
      }
      const stop = isTerminalStatus(item.status) ? {} : stopped(item, 'canceled')
      return { ...stop, ...cancelRunningCopies({ ...item, ...stop }), settled: true, reconciliation }
    }
    case 'reconcile_failed': {
      const reconciliation = {
        ...item.reconciliation,
        phase: event.final ? ('gave_up' as const) : ('failed' as const),
        attempts: item.reconciliation.attempts + 1,
        lastError: event.error,
      }
      // Given up: a terminal item counts as settled for eviction; the next reconnect tries again.
      return event.final && isTerminalStatus(item.status)
        ? { ...cancelRunningCopies(item), settled: true, reconciliation }
        : { reconciliation }
    }
    case 'reconcile_aborted':
      return { reconciliation: { ...item.reconciliation, phase: 'aborted' } }
    case 'hydrated': {
      const { snapshot } = event
      if (isTerminalStatus(snapshot.status))
        return {
          ...applySnapshot(item, snapshot),
          reconciliation: { ...item.reconciliation, phase: 'done', snapshotStatus: snapshot.status },
        }
      return metaChanges(item, snapshot.meta, {
        status: snapshot.status,
        statusSequence: snapshot.statusSequence ?? item.statusSequence,
        startedAt: snapshot.startedAt ?? item.startedAt,
      })
    }
    case 'settle':
      return { ...cancelRunningCopies(item), settled: true }
    case 'deliver': {
      const delivered = markDelivered(item, event.preparedId)
      return { copies: delivered.copies, deliveredOrphans: delivered.deliveredOrphans }
    }
  }
}

function invocationChanges(
  item: QueueItemExecution,
  event: Extract<ModelEvent, { kind: 'invocation' }>,
): ItemChanges {
  const { preparedId, sourceNodeId } = event
  switch (event.phase) {
    case 'started':
      return changeCopy(item, {
        preparedId,
        sourceNodeId,
        status: 'in_progress',
        effect: RESET,
        invocationType: event.invocationType,
        isIntermediate: event.isIntermediate,
      })
    case 'progress': {
      const image = storableImage(event.image)
      return changeCopy(item, {
        preparedId,
        sourceNodeId,
        status: trieGet(item.copies, preparedId)?.status === 'canceled' ? 'canceled' : 'in_progress',
        imageFrom: image ? preparedId : undefined,
        effect: { kind: 'progress', percentage: event.percentage ?? null, image },
      })
    }
    case 'complete': {
      const output = event.output ?? null
      return changeCopy(item, {
        preparedId,
        sourceNodeId,
        status: 'completed',
        output,
        // Delivered in the same dispatch: the listener announces it (invocationOutputReceived) once.
        delivered: output !== null && !trieHas(item.deliveredOrphans, preparedId),
        effect: { kind: 'complete', output },
        invocationType: event.invocationType,
        isIntermediate: event.isIntermediate,
      })
    }
    case 'error':
    case 'blocked':
      return changeCopy(item, {
        preparedId,
        sourceNodeId,
        status: 'failed',
        effect: { kind: 'error', error: event.error ?? null },
      })
    case 'cached':
      return changeCopy(item, {
        preparedId,
        sourceNodeId,
        status: 'completed',
        output: null,
        effect: { kind: 'cached' },
        invocationType: event.invocationType,
        isIntermediate: event.isIntermediate,
      })
  }
}

/**
 * P1: each listed node that is not terminal takes the snapshot's word. An entry that says what the item
 * already shows costs a look-up and nothing else: the server repeats the whole map on every tick.
 */
function progressStateChanges(item: QueueItemExecution, entries: readonly ProgressStateEntry[]): ItemChanges {
  let fields: CopyFields = item
  for (const { preparedId, sourceNodeId, state, percentage } of entries) {
    const copy = trieGet(fields.copies, preparedId)
    if (copy?.status === 'completed' || copy?.status === 'failed') continue
    if (state === 'finished') {
      fields = changeCopy(fields, {
        preparedId,
        sourceNodeId,
        status: 'completed',
        effect: { kind: 'complete', output: null },
      })
      continue
    }
    const node = trieGet(fields.nodes, copy?.sourceNodeId ?? sourceNodeId)
    if (copy?.status === 'in_progress' && node?.progress === percentage) continue
    fields = changeCopy(fields, {
      preparedId,
      sourceNodeId,
      status: copy?.status === 'canceled' ? 'canceled' : 'in_progress',
      effect: { kind: 'progress', percentage, image: null },
    })
  }
  return fields === item ? {} : { copies: fields.copies, nodes: fields.nodes, nodeOrder: fields.nodeOrder }
}
