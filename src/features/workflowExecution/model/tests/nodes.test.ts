import fc from 'fast-check'
import { trieGet } from '../structures/hashTrie'
import { describe, expect, it } from 'vitest'
import { MAX_PROGRESS_IMAGE_CHARS, nodeStatusOf } from '../nodes'
import { transition } from '../transition'
import type { InvocationCopy, ModelEvent, NodeStatus, QueueItemExecution } from '../types'
import type { InvocationOutput, QueueStatus } from '../../../../invokeai/wire/types'
import { applyItemEvent } from '../../slice/reducers'
import { createInitialState } from '../../slice/state'
import {
  cancel,
  complete,
  error,
  fresh,
  image,
  itemIn,
  output,
  persistedItem,
  progress,
  reconcileAborted,
  reconcileFailed,
  reconcileRequested,
  run,
  snapshotEvent,
  snapshotGone,
  started,
  status,
  copyOf,
  nodeOf,
  nodesOf,
} from './builders'
import { copiesOf as allCopiesOf } from '../read'
import { itemOf } from '../..'

/** The aggregation of docs/model.md, written from the copies themselves (not from the model's counters). */
function expectedNodeStatus(copies: InvocationCopy[]): NodeStatus {
  if (copies.some((copy) => copy.status === 'failed')) return 'FAILED'
  if (copies.some((copy) => copy.status === 'in_progress')) return 'IN_PROGRESS'
  if (copies.some((copy) => copy.status === 'canceled')) return 'CANCELED'
  if (copies.some((copy) => copy.status === 'completed')) return 'COMPLETED'
  return 'PENDING'
}

function copiesOf(item: QueueItemExecution, nodeId: string): InvocationCopy[] {
  return allCopiesOf(item).filter((copy) => copy.sourceNodeId === nodeId)
}

const ITER = 'iterate-node'

describe('a node aggregates its prepared copies (iterate fan-out)', () => {
  it('is FAILED if any copy failed, even while another runs and another completed', () => {
    const item = itemIn(
      'in_progress',
      started('a', ITER),
      complete('a', ITER, output(1)),
      started('b', ITER),
      started('c', ITER),
      error('c', ITER),
    )
    expect(nodeOf(item, ITER)).toMatchObject({ status: 'FAILED', outputs: [output(1)] })
  })

  it('is IN_PROGRESS while any copy runs and none failed', () => {
    const item = itemIn('in_progress', started('a', ITER), complete('a', ITER), started('b', ITER))
    expect(nodeOf(item, ITER)?.status).toBe('IN_PROGRESS')
  })

  it('is CANCELED when a copy was interrupted, even if its siblings completed', () => {
    const item = itemIn(
      'in_progress',
      started('a', ITER),
      complete('a', ITER, output(1)),
      started('b', ITER),
      status('canceled'),
    )
    expect(nodeOf(item, ITER)).toMatchObject({ status: 'CANCELED', outputs: [output(1)] })
  })

  it('is COMPLETED when at least one copy completed and the rest did not start', () => {
    const item = itemIn('in_progress', complete('b', ITER, output(2)))
    expect(nodeOf(item, ITER)).toMatchObject({ status: 'COMPLETED', outputs: [output(2)] })
  })

  it('is PENDING when no copy of it was ever prepared (a node the persisted session lists, nothing more)', () => {
    const item = run(
      itemIn('in_progress'),
      reconcileRequested('r1'),
      snapshotEvent('r1', persistedItem('failed', { source_prepared_mapping: { [ITER]: [] } })),
    )
    expect(nodeOf(item, ITER)).toMatchObject({ status: 'PENDING', outputs: [] })
    expect(nodeStatusOf({ running: 0, completed: 0, failed: 0, canceled: 0, imageFrom: null })).toBe(
      'PENDING',
    )
  })

  it('keeps the outputs of its copies in the order they completed', () => {
    const item = itemIn(
      'in_progress',
      started('a', ITER),
      started('b', ITER),
      started('c', ITER),
      complete('c', ITER, output('third')),
      complete('a', ITER, output('first')),
      complete('b', ITER, output('second')),
    )
    expect(nodeOf(item, ITER)?.outputs).toEqual([output('third'), output('first'), output('second')])
  })

  it('a late completion after a canceled run still completes its copy, and is counted once', () => {
    const item = itemIn(
      'in_progress',
      started('a', ITER),
      started('b', ITER),
      complete('a', ITER, output('a')),
      status('canceled'),
    )
    const late = run(item, complete('b', ITER, output('b')), complete('b', ITER, output('b')))
    expect(nodeOf(late, ITER)).toMatchObject({ status: 'COMPLETED', outputs: [output('a'), output('b')] })
    expect(trieGet(late.nodes, ITER)?.tally).toMatchObject({
      running: 0,
      completed: 2,
      canceled: 0,
      failed: 0,
    })
  })
})

describe('nodeStatusOf: the precedence FAILED > IN_PROGRESS > CANCELED > COMPLETED > PENDING', () => {
  const combos = Array.from({ length: 16 }, (_, bits) => ({
    failed: bits & 1 ? 2 : 0,
    running: bits & 2 ? 1 : 0,
    canceled: bits & 4 ? 3 : 0,
    completed: bits & 8 ? 1 : 0,
  }))
  it.each(combos)('failed $failed, running $running, canceled $canceled, completed $completed', (counts) => {
    const expected: NodeStatus =
      counts.failed > 0
        ? 'FAILED'
        : counts.running > 0
          ? 'IN_PROGRESS'
          : counts.canceled > 0
            ? 'CANCELED'
            : counts.completed > 0
              ? 'COMPLETED'
              : 'PENDING'
    expect(nodeStatusOf({ ...counts, imageFrom: null })).toBe(expected)
  })
})

describe('a settled item leaves no node IN_PROGRESS', () => {
  const running = () =>
    itemIn('in_progress', started('a', ITER), started('b', ITER), complete('b', ITER), started('x', 'solo'))
  const noneInProgress = (item: QueueItemExecution) =>
    expect(Object.values(nodesOf(item)).filter((node) => node.status === 'IN_PROGRESS')).toEqual([])

  it('after a terminal status', () => {
    for (const terminal of ['completed', 'failed', 'canceled'] as const)
      noneInProgress(run(running(), status(terminal)))
  })

  it('after R1: copies the snapshot does not finish are canceled', () => {
    const item = run(
      running(),
      reconcileRequested('r1'),
      snapshotEvent('r1', persistedItem('completed', { results: { b: output('b') } })),
    )
    expect(item.settled).toBe(true)
    noneInProgress(item)
    expect(nodeOf(item, ITER)?.status).toBe('CANCELED')
    expect(nodeOf(item, 'solo')?.status).toBe('CANCELED')
  })

  it('after R3 (the item is gone)', () => {
    const item = run(running(), reconcileRequested('r1'), snapshotGone('r1'))
    expect(item.settled).toBe(true)
    noneInProgress(item)
  })

  it('after reconciliation gave up on a terminal item', () => {
    const item = run(running(), status('canceled'), reconcileRequested('r1'), reconcileFailed('r1', true))
    expect(item.settled).toBe(true)
    noneInProgress(item)
  })

  it('after a terminal status of an origin that is not reconciled (settled at once by the slice)', () => {
    let state = createInitialState({ reconcileOrigins: [] })
    for (const event of [status('in_progress'), started('a', ITER), status('completed')]) {
      state = applyItemEvent(state, 7, event)
    }
    const item = itemOf(state.items, 7) as QueueItemExecution
    expect(item.settled).toBe(true)
    noneInProgress(item)
  })
})

describe('progress and its image', () => {
  const big = (length: number) => image('d'.repeat(length))

  it('a progress event without an image keeps the last image of the copy still running', () => {
    const item = itemIn('in_progress', progress('a', ITER, { percentage: 0.1, image: image('first') }))
    const next = run(item, progress('a', ITER, { percentage: 0.2, image: null }))
    expect(nodeOf(next, ITER)).toMatchObject({ progress: 0.2, progressImage: image('first') })
    // A sibling copy without an image does not erase the running copy's image either.
    const sibling = run(item, started('b', ITER), progress('b', ITER, { percentage: 0.3 }))
    expect(nodeOf(sibling, ITER)?.progressImage).toEqual(image('first'))
  })

  it('drops the image once the copy that sent it no longer runs', () => {
    const item = itemIn(
      'in_progress',
      progress('a', ITER, { percentage: 0.5, image: image('a') }),
      complete('a', ITER),
      progress('b', ITER, { percentage: 0.1, image: null }),
    )
    expect(nodeOf(item, ITER)).toMatchObject({ progress: 0.1, progressImage: null })
  })

  it('does not store an image whose data URL exceeds MAX_PROGRESS_IMAGE_CHARS', () => {
    const tooBig = run(
      itemIn('in_progress'),
      progress('a', ITER, { percentage: 0.1, image: big(MAX_PROGRESS_IMAGE_CHARS + 1) }),
    )
    expect(nodeOf(tooBig, ITER)).toMatchObject({ progress: 0.1, progressImage: null })
    const previous = run(
      itemIn('in_progress'),
      progress('a', ITER, { image: image('small') }),
      progress('a', ITER, { percentage: 0.9, image: big(MAX_PROGRESS_IMAGE_CHARS + 1) }),
    )
    expect(nodeOf(previous, ITER)).toMatchObject({ progress: 0.9, progressImage: image('small') })
    const atLimit = run(itemIn('in_progress'), progress('a', ITER, { image: big(MAX_PROGRESS_IMAGE_CHARS) }))
    expect(nodeOf(atLimit, ITER)?.progressImage?.dataURL).toHaveLength(MAX_PROGRESS_IMAGE_CHARS)
  })

  it('an error clears the node’s progress and image', () => {
    const item = itemIn(
      'in_progress',
      progress('a', ITER, { percentage: 0.4, image: image() }),
      error('a', ITER),
    )
    expect(nodeOf(item, ITER)).toMatchObject({ status: 'FAILED', progress: null, progressImage: null })
  })
})

/*
 * Properties: whatever the socket and the reconciliation do, in any order, each node's status is the
 * aggregation of its copies, each completed copy's output is shown exactly once, and a terminal item has
 * no node IN_PROGRESS.
 */
const COPIES: [string, string][] = [
  ['a', ITER],
  ['b', ITER],
  ['c', ITER],
  ['x', 'solo'],
]
const STATUSES: QueueStatus[] = ['pending', 'in_progress', 'waiting', 'completed', 'failed', 'canceled']

const copyArb = fc.constantFrom(...COPIES)
const socketEventArb: fc.Arbitrary<ModelEvent> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(copyArb, fc.constantFrom('started', 'progress', 'complete', 'error'))
      .map(([[preparedId, nodeId], phase]) =>
        phase === 'started'
          ? started(preparedId, nodeId)
          : phase === 'progress'
            ? progress(preparedId, nodeId, { percentage: 0.5, image: image(preparedId) })
            : phase === 'complete'
              ? complete(preparedId, nodeId, output(preparedId))
              : error(preparedId, nodeId),
      ),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...STATUSES), fc.option(fc.nat(5), { nil: null }))
      .map(([value, seq]) => status(value, { seq })),
  },
  { weight: 1, arbitrary: fc.constant(cancel()) },
)
const resultsArb = fc
  .subarray(COPIES.map(([id]) => id))
  .map((ids) => Object.fromEntries(ids.map((id) => [id, output(`rest-${id}`)])))
const reconcileEventArb: fc.Arbitrary<ModelEvent> = fc.oneof(
  fc.constantFrom('r1', 'r2').map(reconcileRequested),
  fc
    .tuple(
      fc.constantFrom('r1', 'r2'),
      fc.constantFrom(...STATUSES),
      resultsArb,
      fc.option(fc.nat(5), { nil: undefined }),
    )
    .map(([requestId, value, results, seq]) =>
      snapshotEvent(
        requestId,
        persistedItem(value, { results, prepared_source_mapping: Object.fromEntries(COPIES) }, { seq }),
      ),
    ),
  fc.constantFrom('r1', 'r2').map(snapshotGone),
  fc.tuple(fc.constantFrom('r1', 'r2'), fc.boolean()).map(([id, final]) => reconcileFailed(id, final)),
  fc.constantFrom('r1', 'r2').map(reconcileAborted),
)
const anyEventArb = fc.oneof(
  { weight: 4, arbitrary: socketEventArb },
  { weight: 1, arbitrary: reconcileEventArb },
)

function outputKey(value: InvocationOutput): string {
  return JSON.stringify(value)
}

function checkInvariants(item: QueueItemExecution): void {
  for (const nodeId of new Set(COPIES.map(([, nodeId]) => nodeId))) {
    const copies = copiesOf(item, nodeId)
    const node = nodeOf(item, nodeId)
    if (copies.length === 0) {
      if (node) expect(node.status).toBe('PENDING')
      continue
    }
    expect(node?.status, `node ${nodeId}`).toBe(expectedNodeStatus(copies))
    const shown = (node?.outputs ?? []).map(outputKey).sort()
    const completed = copies
      .filter((copy) => copy.status === 'completed' && copy.output)
      .map((copy) => outputKey(copy.output as InvocationOutput))
      .sort()
    expect(shown, `outputs of ${nodeId}`).toEqual(completed)
  }
  if (item.settled || (item.status !== null && ['completed', 'failed', 'canceled'].includes(item.status))) {
    expect(Object.values(nodesOf(item)).some((node) => node.status === 'IN_PROGRESS')).toBe(false)
  }
}

describe('node aggregation under any order of events (properties)', () => {
  it('socket events only: node status is the aggregation of its copies, outputs in completion order', () => {
    fc.assert(
      fc.property(fc.array(socketEventArb, { maxLength: 40 }), (events) => {
        let item = fresh()
        const completionOrder: Record<string, InvocationOutput[]> = {}
        for (const event of events) {
          const before = item
          item = transition(item, event).state
          for (const [preparedId, nodeId] of COPIES) {
            const copy = copyOf(item, preparedId)
            if (copy?.status === 'completed' && copyOf(before, preparedId)?.status !== 'completed') {
              ;(completionOrder[nodeId] ??= []).push(copy.output as InvocationOutput)
            }
          }
          checkInvariants(item)
        }
        for (const [nodeId, outputs] of Object.entries(completionOrder)) {
          expect(nodeOf(item, nodeId)?.outputs).toEqual(outputs)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('socket and reconciliation events mixed: aggregation holds, no output twice, terminal means nothing runs', () => {
    fc.assert(
      fc.property(fc.array(anyEventArb, { maxLength: 40 }), (events) => {
        let item = fresh()
        for (const event of events) {
          item = transition(item, event).state
          checkInvariants(item)
        }
      }),
      { numRuns: 300 },
    )
  })
})
