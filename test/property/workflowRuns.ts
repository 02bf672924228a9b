import fc from 'fast-check'
import type { SessionQueueItem } from '../../src'
import {
  complete,
  invocationError,
  persistedItem,
  progress,
  started,
  statusChanged,
  type ItemContext,
} from '../helpers/wire'
import { sometimes } from './sometimes'

/*
 * Generated workflow runs and their true server traces. A workflow is a chain of source nodes, each run
 * as one or more prepared copies (an iterate fan-out); several items run it back to back, one at a time,
 * as the server's single worker does, and each ends completed, failed (with or without a node error) or
 * canceled (with a copy that may race the cancel). On a multi-user server each run is some user's; after
 * a restart with a wiped database a second set of runs reuses the ids from 1.
 */

export type Outcome =
  | { kind: 'completed' }
  | { kind: 'failed'; at: number; nodeError: boolean }
  | { kind: 'canceled'; at: number; race: 'none' | 'progress' | 'complete' }

/** Whose run it is on a multi-user server; null: a row without a user, as an older server wrote it. */
export type RunUser = 'alice' | 'bob' | 'admin' | null

export interface RunSpec {
  origin: 'workflows' | 'canvas'
  user: RunUser
  outcome: Outcome
}

export interface Restart {
  /** Steps from the last event of the first runs to the restart (their trailing events may be lost). */
  gap: number
  /** Steps the server is down: the client is disconnected, and comes back when it is up. */
  downtime: number
  /** The runs of the wiped database, ids from 1 again, enqueued as the server comes back. */
  runs: RunSpec[]
}

export interface WorkflowCase {
  /** Copies per source node, in execution order. */
  nodes: number[]
  runs: RunSpec[]
  progressSteps: number
  /** A multi-user server (6.14): every run is its `user`'s. Otherwise every run is `system`'s. */
  users: boolean
  restart: Restart | null
}

const runSpecArbitrary: fc.Arbitrary<RunSpec> = fc.record({
  origin: fc.constantFrom<'workflows' | 'canvas'>('workflows', 'workflows', 'canvas'),
  user: fc.constantFrom<RunUser>('alice', 'bob', 'alice', null, 'admin'),
  outcome: fc.oneof(
    fc.constant<Outcome>({ kind: 'completed' }),
    fc.record({ kind: fc.constant('failed' as const), at: fc.nat(11), nodeError: fc.boolean() }),
    fc.record({
      kind: fc.constant('canceled' as const),
      at: fc.nat(11),
      race: fc.constantFrom('none' as const, 'progress' as const, 'complete' as const),
    }),
  ),
})

export const workflowCaseArbitrary: fc.Arbitrary<WorkflowCase> = fc.record({
  nodes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
  runs: fc.array(runSpecArbitrary, { minLength: 1, maxLength: 4 }),
  progressSteps: fc.integer({ min: 0, max: 2 }),
  users: sometimes(false, fc.constant(true), { on: 1, off: 1 }),
  // A restart costs a second set of runs: less often, and fewer of them.
  restart: sometimes(
    null,
    fc.record({
      gap: fc.nat(12),
      downtime: fc.integer({ min: 1, max: 15 }),
      runs: fc.array(runSpecArbitrary, { minLength: 1, maxLength: 3 }),
    }),
    { on: 1, off: 3 },
  ),
})

export interface Copy {
  preparedId: string
  sourceId: string
  /** Position in execution order. */
  index: number
}

export type ServerEvent = [string, Record<string, unknown>]

export interface ItemTruth {
  itemId: number
  /** 1, or 2 for a run of the database the restart wiped clean. */
  epoch: number
  sessionId: string
  /** Null: a row without a user (an older server). */
  userId: string | null
  origin: string
  startedAt: string
  /** Events in the order the server emits them. */
  events: ServerEvent[]
  /** How many of `events` are emitted before the item is terminal on the server. */
  terminalAt: number
  final: SessionQueueItem
  running: SessionQueueItem
  /** The row as enqueued: pending, not started. */
  pending: SessionQueueItem
  completed: Copy[]
}

/** The run's output; a second epoch's differs, so an output of one run cannot pass for another's. */
export const resultOf = (copy: Copy, epoch: number) => ({
  type: 'integer_output',
  value: (epoch - 1) * 100 + copy.index,
  output_meta: null,
})

function startedAtOf(itemId: number, epoch: number): string {
  return `2026-08-19 ${9 + epoch}:${String(10 + itemId).padStart(2, '0')}:00.000`
}

/** The run's user id on the wire: its own on a multi-user server, `system` otherwise. */
export function userOf(workflow: WorkflowCase, run: RunSpec): string | null {
  return workflow.users ? run.user : 'system'
}

/** The true traces of every run, per epoch (a second one when the server restarted), ids from 1 in each. */
export function epochsOf(workflow: WorkflowCase): ItemTruth[][] {
  const epochs = [workflow.runs, ...(workflow.restart ? [workflow.restart.runs] : [])]
  return epochs.map((runs, index) =>
    runs.map((run, position) =>
      truthOf(run, position + 1, workflow.nodes, workflow.progressSteps, {
        epoch: index + 1,
        userId: userOf(workflow, run),
      }),
    ),
  )
}

export function truthOf(
  spec: RunSpec,
  itemId: number,
  nodes: number[],
  progressSteps: number,
  identity: { epoch?: number; userId?: string | null } = {},
): ItemTruth {
  const { epoch = 1, userId = 'system' } = identity
  // A reused id names another run: another session, and prepared ids derived from it.
  const tag = epoch === 1 ? String(itemId) : `${itemId}-e${epoch}`
  const sessionId = `session-${tag}`
  const ctx: ItemContext = {
    itemId,
    origin: spec.origin,
    destination: 'gallery',
    userId,
    batchId: `batch-${tag}`,
    sessionId,
  }
  const copies: Copy[] = []
  nodes.forEach((count, node) => {
    for (let copy = 0; copy < count; copy += 1) {
      copies.push({
        preparedId: `${sessionId}/n${node}-c${copy}`,
        sourceId: `node-${node}`,
        index: copies.length,
      })
    }
  })
  const { outcome } = spec
  const stopAt = outcome.kind === 'completed' ? copies.length : Math.min(outcome.at, copies.length - 1)
  const startedAt = startedAtOf(itemId, epoch)
  const oom = { type: 'OutOfMemoryError', message: 'CUDA out of memory' }
  const status = (
    value: 'in_progress' | 'completed' | 'failed' | 'canceled',
    sequence: number,
  ): ServerEvent => [
    'queue_item_status_changed',
    statusChanged(ctx, value, sequence, value === 'failed' ? oom : undefined, startedAt),
  ]
  const result = (copy: Copy) => resultOf(copy, epoch)
  const progressOf = (copy: Copy, step: number): ServerEvent => [
    'invocation_progress',
    progress(ctx, copy.preparedId, copy.sourceId, (step + 1) / (progressSteps + 1), {
      width: 8,
      height: 8,
      dataURL: `data:image/png;base64,${copy.preparedId}-${step}`,
    }),
  ]
  const startedOf = (copy: Copy): ServerEvent => [
    'invocation_started',
    started(ctx, copy.preparedId, copy.sourceId),
  ]
  const completeOf = (copy: Copy): ServerEvent => [
    'invocation_complete',
    complete(ctx, copy.preparedId, copy.sourceId, result(copy)),
  ]

  const events: ServerEvent[] = [status('in_progress', 1)]
  const completed: Copy[] = []
  const errors: Record<string, string> = {}
  for (const copy of copies.slice(0, stopAt)) {
    events.push(startedOf(copy))
    for (let step = 0; step < progressSteps; step += 1) events.push(progressOf(copy, step))
    events.push(completeOf(copy))
    completed.push(copy)
  }
  let terminalAt = events.length + 1
  const stopped = copies[stopAt]
  if (outcome.kind === 'completed') events.push(status('completed', 2))
  else if (stopped && outcome.kind === 'failed') {
    events.push(startedOf(stopped))
    terminalAt = events.length + 1
    // The server sends failed first, then the node's error (none for an error outside a node).
    events.push(status('failed', 2))
    if (outcome.nodeError) {
      events.push([
        'invocation_error',
        invocationError(ctx, stopped.preparedId, stopped.sourceId, 'OutOfMemoryError'),
      ])
      errors[stopped.preparedId] = 'OutOfMemoryError: CUDA out of memory'
    }
  } else if (stopped && outcome.kind === 'canceled') {
    events.push(startedOf(stopped))
    terminalAt = events.length + 1
    events.push(status('canceled', 2))
    // A denoise step racing the cancel, and maybe the node finishing anyway.
    if (outcome.race !== 'none') events.push(progressOf(stopped, 0))
    if (outcome.race === 'complete') {
      events.push(completeOf(stopped))
      completed.push(stopped)
    }
  }

  // Every copy of a node whose first copy started was prepared; later nodes were not reached.
  const reached = new Set(copies.slice(0, Math.min(stopAt + 1, copies.length)).map((copy) => copy.sourceId))
  const prepared = copies.filter((copy) => reached.has(copy.sourceId))
  const done = new Set(completed.map((copy) => copy.preparedId))
  // The session is saved when the item stops: before that a row carries the session as enqueued.
  const row = (
    value: 'pending' | 'in_progress' | 'completed' | 'failed' | 'canceled',
    sequence: number,
  ): SessionQueueItem => {
    const saved = value !== 'pending' && value !== 'in_progress'
    const persisted = persistedItem(
      ctx,
      value,
      sequence,
      prepared.map((copy) => ({
        preparedId: copy.preparedId,
        sourceId: copy.sourceId,
        ...(saved && done.has(copy.preparedId) ? { result: result(copy) } : {}),
        ...(saved && errors[copy.preparedId] ? { error: errors[copy.preparedId] } : {}),
      })),
    )
    // REST omits null fields: a row without a user has no user_id, a pending one no started_at.
    const { user_id: _system, ...rest } = persisted
    return {
      ...rest,
      ...(userId === null ? {} : { user_id: userId }),
      ...(value === 'pending' ? {} : { started_at: startedAt }),
      ...(value === 'failed' ? { error_type: oom.type, error_message: oom.message } : {}),
    } as SessionQueueItem
  }
  const finalStatus = outcome.kind === 'completed' ? 'completed' : outcome.kind
  return {
    itemId,
    epoch,
    sessionId,
    userId,
    origin: spec.origin,
    startedAt,
    events,
    terminalAt,
    final: row(finalStatus, 2),
    running: row('in_progress', 1),
    pending: row('pending', 0),
    completed,
  }
}

/** The node table a persisted session implies, computed here independently of the engine. */
export function expectedNodeTable(final: SessionQueueItem) {
  const { session } = final
  const history = session.executed_history ?? []
  const table: Record<string, { status: string; outputs: unknown[] }> = {}
  for (const [sourceId, preparedIds] of Object.entries(session.source_prepared_mapping ?? {})) {
    const completed = preparedIds.filter((id) => session.results?.[id])
    const failed = preparedIds.some((id) => session.errors?.[id])
    const unfinished = preparedIds.length - completed.length - (failed ? 1 : 0)
    table[sourceId] = {
      status: failed
        ? 'FAILED'
        : unfinished > 0
          ? 'CANCELED'
          : completed.length > 0
            ? 'COMPLETED'
            : 'PENDING',
      outputs: completed
        .sort((a, b) => history.indexOf(a) - history.indexOf(b))
        .map((id) => session.results?.[id]),
    }
  }
  return table
}
