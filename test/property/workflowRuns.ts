import fc from 'fast-check'
import type { SessionQueueItem } from '../../src'

/*
 * Generated workflow runs and their true server traces. A workflow is a chain of source nodes, each run
 * as one or more prepared copies (an iterate fan-out); several items run it back to back, one at a time,
 * as the server's single worker does, and each ends completed, failed (with or without a node error) or
 * canceled (with a copy that may race the cancel).
 */

export type Outcome =
  | { kind: 'completed' }
  | { kind: 'failed'; at: number; nodeError: boolean }
  | { kind: 'canceled'; at: number; race: 'none' | 'progress' | 'complete' }

export interface RunSpec {
  origin: 'workflows' | 'canvas'
  outcome: Outcome
}

export interface WorkflowCase {
  /** Copies per source node, in execution order. */
  nodes: number[]
  runs: RunSpec[]
  progressSteps: number
}

export const workflowCaseArbitrary: fc.Arbitrary<WorkflowCase> = fc.record({
  nodes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
  runs: fc.array(
    fc.record({
      origin: fc.constantFrom<'workflows' | 'canvas'>('workflows', 'workflows', 'canvas'),
      outcome: fc.oneof(
        fc.constant<Outcome>({ kind: 'completed' }),
        fc.record({ kind: fc.constant('failed' as const), at: fc.nat(11), nodeError: fc.boolean() }),
        fc.record({
          kind: fc.constant('canceled' as const),
          at: fc.nat(11),
          race: fc.constantFrom('none' as const, 'progress' as const, 'complete' as const),
        }),
      ),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  progressSteps: fc.integer({ min: 0, max: 2 }),
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
  origin: string
  startedAt: string
  /** Events in the order the server emits them. */
  events: ServerEvent[]
  /** How many of `events` are emitted before the item is terminal on the server. */
  terminalAt: number
  final: SessionQueueItem
  running: SessionQueueItem
  completed: Copy[]
}

const result = (copy: Copy) => ({ type: 'integer_output', value: copy.index, output_meta: null })

function startedAtOf(itemId: number): string {
  return `2026-08-19 10:${String(10 + itemId).padStart(2, '0')}:00.000`
}

export function truthOf(spec: RunSpec, itemId: number, nodes: number[], progressSteps: number): ItemTruth {
  const copies: Copy[] = []
  nodes.forEach((count, node) => {
    for (let copy = 0; copy < count; copy += 1) {
      copies.push({
        preparedId: `i${itemId}-n${node}-c${copy}`,
        sourceId: `node-${node}`,
        index: copies.length,
      })
    }
  })
  const { outcome } = spec
  const stopAt = outcome.kind === 'completed' ? copies.length : Math.min(outcome.at, copies.length - 1)
  const startedAt = startedAtOf(itemId)
  const base = {
    timestamp: 1787134502,
    queue_id: 'default',
    item_id: itemId,
    batch_id: `batch-${itemId}`,
    origin: spec.origin,
    destination: 'gallery',
    user_id: 'system',
  }
  const status = (value: string, sequence: number) =>
    [
      'queue_item_status_changed',
      {
        ...base,
        status: value,
        status_sequence: sequence,
        error_type: value === 'failed' ? 'OutOfMemoryError' : null,
        error_message: value === 'failed' ? 'CUDA out of memory' : null,
        error_traceback: null,
        created_at: startedAt,
        updated_at: startedAt,
        started_at: startedAt,
        completed_at: null,
        batch_status: {},
        queue_status: {},
        session_id: `session-${itemId}`,
      },
    ] as ServerEvent
  const invocation = (name: string, copy: Copy, extra: Record<string, unknown> = {}): ServerEvent => [
    name,
    {
      ...base,
      session_id: `session-${itemId}`,
      invocation: { id: copy.preparedId, type: 'add', is_intermediate: false, use_cache: true },
      invocation_source_id: copy.sourceId,
      ...extra,
    },
  ]
  const progress = (copy: Copy, step: number) =>
    invocation('invocation_progress', copy, {
      message: 'Denoising',
      percentage: (step + 1) / (progressSteps + 1),
      image: { width: 8, height: 8, dataURL: `data:image/png;base64,${copy.preparedId}-${step}` },
      device: null,
    })

  const events: ServerEvent[] = [status('in_progress', 1)]
  const completed: Copy[] = []
  const errors: Record<string, string> = {}
  for (const copy of copies.slice(0, stopAt)) {
    events.push(invocation('invocation_started', copy))
    for (let step = 0; step < progressSteps; step += 1) events.push(progress(copy, step))
    events.push(invocation('invocation_complete', copy, { result: result(copy) }))
    completed.push(copy)
  }
  let terminalAt = events.length + 1
  const stopped = copies[stopAt]
  if (outcome.kind === 'completed') events.push(status('completed', 2))
  else if (stopped && outcome.kind === 'failed') {
    events.push(invocation('invocation_started', stopped))
    terminalAt = events.length + 1
    // The server sends failed first, then the node's error (none for an error outside a node).
    events.push(status('failed', 2))
    if (outcome.nodeError) {
      events.push(
        invocation('invocation_error', stopped, {
          error_type: 'OutOfMemoryError',
          error_message: 'CUDA out of memory',
          error_traceback: 'Traceback ...',
        }),
      )
      errors[stopped.preparedId] = 'OutOfMemoryError: CUDA out of memory'
    }
  } else if (stopped && outcome.kind === 'canceled') {
    events.push(invocation('invocation_started', stopped))
    terminalAt = events.length + 1
    events.push(status('canceled', 2))
    // A denoise step racing the cancel, and maybe the node finishing anyway.
    if (outcome.race !== 'none') events.push(progress(stopped, 0))
    if (outcome.race === 'complete') {
      events.push(invocation('invocation_complete', stopped, { result: result(stopped) }))
      completed.push(stopped)
    }
  }

  // Every copy of a node whose first copy started was prepared; later nodes were not reached.
  const reached = new Set(copies.slice(0, Math.min(stopAt + 1, copies.length)).map((copy) => copy.sourceId))
  const prepared = copies.filter((copy) => reached.has(copy.sourceId))
  const session = (withResults: boolean) => ({
    id: `session-${itemId}`,
    graph: { id: 'graph', nodes: {}, edges: [] },
    execution_graph: { id: 'execution', nodes: {}, edges: [] },
    executed: withResults ? completed.map((copy) => copy.preparedId) : [],
    executed_history: withResults ? completed.map((copy) => copy.preparedId) : [],
    results: withResults
      ? Object.fromEntries(
          completed.map((copy) => [copy.preparedId, { type: 'integer_output', value: copy.index }]),
        )
      : {},
    errors: withResults ? errors : {},
    prepared_source_mapping: Object.fromEntries(prepared.map((copy) => [copy.preparedId, copy.sourceId])),
    source_prepared_mapping: prepared.reduce<Record<string, string[]>>((mapping, copy) => {
      mapping[copy.sourceId] = [...(mapping[copy.sourceId] ?? []), copy.preparedId]
      return mapping
    }, {}),
  })
  const finalStatus = outcome.kind === 'completed' ? 'completed' : outcome.kind
  const row = (status: string, sequence: number, withResults: boolean) =>
    ({
      item_id: itemId,
      status,
      status_sequence: sequence,
      queue_id: 'default',
      batch_id: `batch-${itemId}`,
      origin: spec.origin,
      destination: 'gallery',
      session_id: `session-${itemId}`,
      user_id: 'system',
      started_at: startedAt,
      ...(status === 'failed' ? { error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory' } : {}),
      session: session(withResults),
    }) as SessionQueueItem
  return {
    itemId,
    origin: spec.origin,
    startedAt,
    events,
    terminalAt,
    final: row(finalStatus, 2, true),
    running: row('in_progress', 1, false),
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
