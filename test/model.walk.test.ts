import { describe, expect, it } from 'vitest'
import {
  RULES,
  type CopyStatus,
  type QueueItemExecution,
  type QueueStatus,
  type SessionQueueItem,
} from '../src'
import {
  createQueueItemExecution,
  decide,
  recentDecisions,
  transition,
  trieGet,
  trieSet,
  type ModelEvent,
  type PersistedRun,
  type TransitionContext,
} from '../src/features/workflowExecution'
import { persistedRunOfQueueItem } from '../src/invokeai'

/*
 * Model-based walk of the rule table: every (item state, event) pair the model can meet, not only the
 * rows, is run through `transition`, and the invariants of docs/guarantees.md are checked on each step.
 */

const QUEUE: (QueueStatus | null)[] = [
  null,
  'pending',
  'in_progress',
  'waiting',
  'completed',
  'failed',
  'canceled',
]
const COPY: (CopyStatus | 'unknown')[] = ['unknown', 'in_progress', 'completed', 'failed', 'canceled']
const TERMINAL = new Set(['completed', 'failed', 'canceled'])
const QUEUE_RANK: Record<string, number> = {
  none: 0,
  pending: 1,
  in_progress: 2,
  waiting: 2,
  completed: 3,
  failed: 3,
  canceled: 3,
}
const COPY_RANK: Record<string, number> = { unknown: 0, in_progress: 1, canceled: 2, completed: 3, failed: 3 }
const otherRun = {
  queueId: 'default',
  origin: 'workflows',
  destination: 'gallery',
  batchId: 'b',
  sessionId: 's2',
  userId: 'system',
}
const meta = {
  queueId: 'default',
  origin: 'workflows',
  destination: 'gallery',
  batchId: 'b',
  sessionId: 's',
  userId: 'system',
}

function itemIn(
  queue: QueueStatus | null,
  copy: CopyStatus | 'unknown',
  sequence: number | null,
  settled = false,
): QueueItemExecution {
  const item = createQueueItemExecution(1, meta)
  const withCopy =
    copy === 'unknown'
      ? item
      : {
          ...item,
          copies: trieSet(item.copies, 'p', {
            preparedId: 'p',
            sourceNodeId: 'n',
            status: copy,
            output: null,
            delivered: false,
          }),
        }
  return {
    ...withCopy,
    status: queue,
    statusSequence: sequence,
    // A status event with a sequence also said when the item started (Q7 tells the two apart).
    startedAt: sequence === null ? null : '2026-08-19 10:15:02.104',
    settled,
    reconciliation: { ...item.reconciliation, requestId: 'current' },
  }
}

function rawSnapshot(status: QueueStatus, sequence: number | undefined, sessionId = 's'): SessionQueueItem {
  return {
    item_id: 1,
    status,
    status_sequence: sequence,
    session_id: sessionId,
    session: {
      id: sessionId,
      results: {},
      errors: {},
      prepared_source_mapping: {},
      source_prepared_mapping: {},
    },
  } as SessionQueueItem
}

const snapshot = (status: QueueStatus, sequence: number | undefined, sessionId = 's'): PersistedRun =>
  persistedRunOfQueueItem(rawSnapshot(status, sequence, sessionId))

function events(): { label: string; event: ModelEvent }[] {
  const list: { label: string; event: ModelEvent }[] = []
  for (const status of QUEUE.filter((s): s is QueueStatus => s !== null)) {
    for (const sequence of [null, 0, 1, 2]) {
      for (const redacted of [false, true]) {
        list.push({
          label: `status ${status} seq ${sequence}${redacted ? ' redacted' : ''}`,
          event: {
            kind: 'status',
            status,
            statusSequence: sequence,
            startedAt: null,
            error: null,
            meta,
            redacted,
          },
        })
      }
    }
    list.push({
      label: `status ${status} of another session`,
      event: {
        kind: 'status',
        status,
        statusSequence: 0,
        startedAt: null,
        error: null,
        meta: otherRun,
        redacted: false,
      },
    })
  }
  for (const phase of ['started', 'progress', 'complete', 'error', 'cached', 'blocked'] as const) {
    for (const redacted of [false, true]) {
      list.push({
        label: `${phase}${redacted ? ' redacted' : ''}`,
        event: {
          kind: 'invocation',
          phase,
          preparedId: 'p',
          sourceNodeId: 'n',
          meta,
          redacted,
          percentage: 0.5,
          image: null,
          output: { type: 'integer_output' },
          error: { error_type: 'E', error_message: 'm', error_traceback: null },
        },
      })
    }
    list.push({
      label: `${phase} of another session`,
      event: {
        kind: 'invocation',
        phase,
        preparedId: 'p',
        sourceNodeId: 'n',
        meta: otherRun,
        redacted: false,
      },
    })
  }
  for (const state of ['running', 'finished'] as const)
    for (const redacted of [false, true])
      list.push({
        label: `progress_state ${state}${redacted ? ' redacted' : ''}`,
        event: {
          kind: 'progress_state',
          meta,
          redacted,
          nodes: [{ preparedId: 'p', sourceNodeId: 'n', state, percentage: state === 'running' ? 0.5 : 1 }],
        },
      })
  list.push({
    label: 'progress_state of another session',
    event: { kind: 'progress_state', meta: otherRun, redacted: false, nodes: [] },
  })
  list.push({ label: 'cancel', event: { kind: 'cancel', cause: 'queue_cleared', queueId: 'default' } })
  list.push({
    label: 'cancel of another queue',
    event: { kind: 'cancel', cause: 'queue_cleared', queueId: 'q2' },
  })
  list.push({
    label: "cancel of another user's items",
    event: {
      kind: 'cancel',
      cause: 'queue_cleared',
      queueId: 'default',
      userId: 'bob',
      currentUserId: 'system',
    },
  })
  list.push({ label: 'settle', event: { kind: 'settle' } })
  for (const preparedId of ['p', 'unknown'])
    list.push({ label: `deliver ${preparedId}`, event: { kind: 'deliver', preparedId } })
  for (const status of ['pending', 'in_progress', 'waiting', 'completed', 'canceled'] as const) {
    for (const sequence of [undefined, 0, 1, 2]) {
      for (const redacted of [false, true])
        list.push({
          label: `hydrated ${status} seq ${sequence}${redacted ? ' redacted' : ''}`,
          event: { kind: 'hydrated', snapshot: snapshot(status, sequence), redacted },
        })
    }
    list.push({
      label: `hydrated ${status} of another session`,
      event: { kind: 'hydrated', snapshot: snapshot(status, 0, 's2'), redacted: false },
    })
  }
  for (const requestId of ['current', 'stale']) {
    list.push({ label: `requested ${requestId}`, event: { kind: 'reconcile_requested', requestId } })
    for (const status of ['in_progress', 'completed', 'canceled'] as const) {
      for (const sequence of [undefined, 0, 1, 2]) {
        list.push({
          label: `snapshot ${status} seq ${sequence} (${requestId})`,
          event: { kind: 'snapshot', requestId, snapshot: snapshot(status, sequence) },
        })
        list.push({
          label: `snapshot ${status} seq ${sequence} (${requestId}, sequence in doubt)`,
          event: { kind: 'snapshot', requestId, snapshot: snapshot(status, sequence), trustSequence: true },
        })
      }
      list.push({
        label: `snapshot ${status} of another session (${requestId})`,
        event: { kind: 'snapshot', requestId, snapshot: snapshot(status, 0, 's2') },
      })
      list.push({
        label: `snapshot ${status} of another user, sanitized (${requestId})`,
        event: {
          kind: 'snapshot',
          requestId,
          snapshot: persistedRunOfQueueItem({ ...rawSnapshot(status, 0, 'redacted'), user_id: 'redacted' }),
        },
      })
    }
    list.push({ label: `gone (${requestId})`, event: { kind: 'snapshot_gone', requestId } })
    for (const final of [false, true]) {
      list.push({
        label: `fetch failed final=${final} (${requestId})`,
        event: { kind: 'reconcile_failed', requestId, error: 'HTTP 500', final },
      })
    }
    list.push({ label: `aborted (${requestId})`, event: { kind: 'reconcile_aborted', requestId } })
  }
  return list
}

/** The engine's side of a decision: tracked or not, evicted, and whether the item's origin is reconciled. */
const CONTEXTS: TransitionContext[] = [
  {},
  { evicted: true, untracked: true, evictedSessionId: 's' },
  { untracked: true },
  { reconciles: false },
]

const cases = QUEUE.flatMap((queue) =>
  COPY.flatMap((copy) =>
    [null, 1].flatMap((sequence) =>
      (TERMINAL.has(queue ?? '') ? [false, true] : [false]).flatMap((settled) =>
        CONTEXTS.flatMap((context) =>
          events().map(({ label, event }) => ({ queue, copy, sequence, settled, context, label, event })),
        ),
      ),
    ),
  ),
)

/** A new run under the same id replaces the entity: the invariants below hold per entity. */
const replaces = (item: QueueItemExecution, event: ModelEvent, context: TransitionContext) =>
  decide(item, event, context).row.effect === 'replace'
const evicted = (context: TransitionContext) => context.evicted === true

const copyStatus = (item: QueueItemExecution) => trieGet(item.copies, 'p')?.status ?? 'unknown'

describe('walking every (state, event) pair of the model', () => {
  it(`covers ${cases.length} pairs, each decided by exactly the first matching row`, () => {
    const used = new Set<string>()
    for (const { queue, copy, sequence, settled, context, event } of cases) {
      const item = itemIn(queue, copy, sequence, settled)
      const decision = decide(item, event, context)
      expect(RULES).toContain(decision.row)
      used.add(decision.rule)
    }
    // Every rule id of the table decides some pair: no dead rows.
    expect([...used].sort()).toEqual([...new Set(RULES.map((rule) => rule.id))].sort())
  })

  it('every row has an id of its own', () => {
    expect(new Set(RULES.map((rule) => rule.id)).size).toBe(RULES.length)
  })

  it('an ignored event changes nothing but the decision record; every decision is recorded', () => {
    for (const { queue, copy, sequence, settled, context, event } of cases) {
      const item = itemIn(queue, copy, sequence, settled)
      const { state, decision } = transition(item, event, context)
      // A replacement records its own row and then the row that decided for the new entity.
      const recorded = replaces(item, event, context) ? 2 : 1
      expect(state.decisions.total).toBe(item.decisions.total + recorded)
      expect(recentDecisions(state.decisions).at(-recorded)).toMatchObject({
        rule: decision.rule,
        applied: decision.applied,
      })
      if (!decision.applied) expect({ ...state, decisions: item.decisions }).toEqual(item)
    }
  })

  it('terminal is absorbing: no socket event of the same run moves a terminal item to another status', () => {
    for (const { queue, copy, sequence, settled, context, event, label } of cases) {
      const item = itemIn(queue, copy, sequence, settled)
      if (queue === null || !TERMINAL.has(queue) || replaces(item, event, context)) continue
      if (event.kind === 'snapshot' || event.kind === 'snapshot_gone' || event.kind === 'hydrated') continue
      const { state } = transition(item, event, context)
      expect(state.status, label).toBe(queue)
    }
  })

  it('statuses are monotone: no event of the same run lowers the queue status or a copy status', () => {
    for (const { queue, copy, sequence, settled, context, event, label } of cases) {
      if (event.kind === 'snapshot' || event.kind === 'snapshot_gone') continue
      const before = itemIn(queue, copy, sequence, settled)
      if (replaces(before, event, context)) continue
      const { state } = transition(before, event, context)
      expect(QUEUE_RANK[state.status ?? 'none'], label).toBeGreaterThanOrEqual(
        QUEUE_RANK[queue ?? 'none'] as number,
      )
      // A copy only goes back to canceled when its item stops, from in_progress.
      const from = COPY_RANK[copy] as number
      const to = COPY_RANK[copyStatus(state)] as number
      expect(to >= from || (copy === 'in_progress' && copyStatus(state) === 'canceled'), label).toBe(true)
    }
  })

  it('sequence order: a status event not newer than the item is never applied; the sequence never decreases', () => {
    for (const { queue, copy, sequence, settled, context, event, label } of cases) {
      const before = itemIn(queue, copy, sequence, settled)
      if (replaces(before, event, context)) continue
      const { state, decision } = transition(before, event, context)
      if (
        event.kind === 'status' &&
        event.statusSequence !== null &&
        sequence !== null &&
        event.statusSequence <= sequence
      ) {
        expect(decision.applied, label).toBe(false)
      }
      // Only a request made because the sequence is in doubt may lower it (the server's persisted word).
      const trusted = event.kind === 'snapshot' && event.trustSequence === true
      if (sequence !== null && !trusted)
        expect(state.statusSequence ?? -1, label).toBeGreaterThanOrEqual(sequence)
    }
  })

  it('no node is left IN_PROGRESS in an item that stopped (an invariant every step keeps)', () => {
    for (const { queue, copy, sequence, settled, context, event, label } of cases) {
      // Only states that already satisfy it: the walk also builds some no event sequence reaches.
      if (TERMINAL.has(queue ?? '') && copy === 'in_progress') continue
      const { state } = transition(itemIn(queue, copy, sequence, settled), event, context)
      if (!TERMINAL.has(state.status ?? '')) continue
      expect(copyStatus(state), label).not.toBe('in_progress')
    }
  })

  it('a stale request id, an evicted item of the same session, or an event about an untracked item that cannot introduce one never changes the item', () => {
    for (const { queue, copy, sequence, settled, context, event, label } of cases) {
      const stale =
        'requestId' in event && event.requestId === 'stale' && event.kind !== 'reconcile_requested'
      const before = itemIn(queue, copy, sequence, settled)
      const { state, decision } = transition(before, event, context)
      const sameSession = !label.includes('another session')
      if (evicted(context) && sameSession) expect(decision.rule, label).toBe('E1')
      else if (
        context.untracked &&
        [
          'reconcile_requested',
          'snapshot',
          'snapshot_gone',
          'reconcile_failed',
          'reconcile_aborted',
          'cancel',
          'settle',
          'deliver',
        ].includes(event.kind)
      )
        expect(decision.rule, label).toBe('N1')
      else if (stale && !replaces(before, event, context) && !context.untracked)
        expect(decision.rule, label).toBe('R4a')
      else continue
      expect(decision.applied, label).toBe(false)
      expect({ ...state, decisions: before.decisions }).toEqual(before)
    }
  })
})
