import { describe, expect, it } from 'vitest'
import { decide } from '../decide'
import { ALL_EVENTS, RULES } from '../rules'
import { createQueueItemExecution } from '../transition'
import { trieSet } from '../structures/hashTrie'
import type { CopyState, EventKey, ModelEvent, QueueItemExecution, QueueState } from '../types'
import { recentDecisions } from '../decisions'
import {
  cancel,
  complete,
  error,
  expectUnchanged,
  fresh,
  image,
  itemIn,
  itemWithCopy,
  nodeError,
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
  step,
  copyOf,
  nodeOf,
} from './builders'

/*
 * One test per row of the rule table (docs/model.md) (plus the code's R0, R5 and U1): each walks one row with
 * `transition` and asserts the decision and what the item became.
 */

const TERMINAL = ['completed', 'failed', 'canceled'] as const

describe('the rule table, row by row', () => {
  it('Q1b, Q1a: an unknown or pending item may move to any status; pending again is a duplicate', () => {
    for (const target of ['pending', 'in_progress', 'waiting', 'completed', 'failed', 'canceled'] as const) {
      const { state, decision } = step(fresh(), status(target, { seq: 1 }))
      expect(decision, `null → ${target}`).toEqual({ applied: true, rule: 'Q1b' })
      expect(state.status).toBe(target)
      expect(state.statusSequence).toBe(1)
    }
    for (const target of ['in_progress', 'waiting', 'completed', 'failed', 'canceled'] as const) {
      const { state, decision } = step(itemIn('pending'), status(target))
      expect(decision, `pending → ${target}`).toEqual({ applied: true, rule: 'Q1b' })
      expect(state.status).toBe(target)
    }
    const pending = itemIn('pending')
    const duplicate = step(pending, status('pending'))
    expect(duplicate.decision).toEqual({ applied: false, rule: 'Q1a' })
    expectUnchanged(pending, duplicate.state)
  })

  it('I4: an item first heard of through a copy that runs is in progress, and its terminal status stops it', () => {
    const first = step(fresh(), started('p1', 'n1'))
    expect(first.decision).toEqual({ applied: true, rule: 'I4' })
    const running = first.state
    expect(running.status).toBe('in_progress')
    const { state, decision } = step(running, status('completed', { seq: 2 }))
    expect(decision).toEqual({ applied: true, rule: 'Q2' })
    expect(state.status).toBe('completed')
    expect(copyOf(state, 'p1')?.status).toBe('canceled')
    expect(nodeOf(state, 'n1')?.status).toBe('CANCELED')
    expect(state.settled).toBe(false)
  })

  it('Q2: a running item finishes (running copies canceled, error kept) or waits (nodes kept)', () => {
    const running = itemIn('in_progress', started('p1', 'n1'), started('p2', 'n2'), complete('p2', 'n2'))
    for (const target of TERMINAL) {
      const err = target === 'failed' ? nodeError('item failed', 'SessionError') : null
      const { state, decision } = step(running, status(target, { error: err }))
      expect(decision, target).toEqual({ applied: true, rule: 'Q2' })
      expect(state.status).toBe(target)
      expect(copyOf(state, 'p1')?.status).toBe('canceled')
      expect(nodeOf(state, 'n1')).toMatchObject({ status: 'CANCELED', progress: null })
      expect(copyOf(state, 'p2')?.status).toBe('completed')
      expect(nodeOf(state, 'n2')).toMatchObject({ status: 'COMPLETED', outputs: [output('p2')] })
      expect(state.error).toEqual(err)
      expect(state.settled).toBe(false)
      expect(state.reconciliation.phase).toBe('idle')
    }
    const { state, decision } = step(running, status('waiting'))
    expect(decision).toEqual({ applied: true, rule: 'Q2' })
    expect(state.status).toBe('waiting')
    expect(copyOf(state, 'p1')?.status).toBe('in_progress')
    expect(state.nodes).toBe(running.nodes)
  })

  it('Q3: a waiting workflow-call parent resumes with its nodes kept, or finishes', () => {
    const waiting = itemIn('in_progress', started('p1', 'n1'), complete('p1', 'n1'), status('waiting'))
    const resumed = step(waiting, status('in_progress'))
    expect(resumed.decision).toEqual({ applied: true, rule: 'Q3' })
    expect(resumed.state.status).toBe('in_progress')
    expect(resumed.state.nodes).toBe(waiting.nodes)
    expect(nodeOf(resumed.state, 'n1')).toMatchObject({ status: 'COMPLETED', outputs: [output('p1')] })
    for (const target of TERMINAL) {
      const { state, decision } = step(waiting, status(target))
      expect(decision, target).toEqual({ applied: true, rule: 'Q3' })
      expect(state.status).toBe(target)
      expect(nodeOf(state, 'n1')?.status).toBe('COMPLETED')
    }
  })

  it('Q4a-c: a running or waiting item ignores pending and its own status again', () => {
    const cases: [QueueItemExecution, ModelEvent][] = [
      [itemIn('in_progress', started('p1', 'n1')), status('pending')],
      [
        run(
          fresh(),
          status('in_progress', { seq: 1, startedAt: '2026-08-19 10:15:02.104' }),
          started('p1', 'n1'),
        ),
        status('in_progress'),
      ],
      [itemIn('waiting'), status('pending')],
      [itemIn('waiting'), status('waiting')],
    ]
    const rows = ['Q4a', 'Q4b', 'Q4a', 'Q4c']
    for (const [index, [item, event]] of cases.entries()) {
      const { state, decision } = step(item, event)
      expect(decision).toEqual({ applied: false, rule: rows[index] })
      expectUnchanged(item, state)
    }
  })

  it('Q5: a terminal item absorbs every status, duplicates and flips included, and a cancel', () => {
    for (const from of TERMINAL) {
      const item = itemIn(from)
      for (const target of ['pending', 'in_progress', 'waiting', ...TERMINAL] as const) {
        const { state, decision } = step(item, status(target, { seq: 9 }))
        expect(decision, `${from} → ${target}`).toEqual({ applied: false, rule: 'Q5' })
        expectUnchanged(item, state)
        expect(state.status).toBe(from)
      }
      const canceled = step(item, cancel())
      expect(canceled.decision).toEqual({ applied: false, rule: 'Q5' })
      expect(canceled.state.status).toBe(from)
    }
  })

  it('Q6a, Q6b: a status whose sequence is not newer than the last applied one is stale; a terminal one asks the server', () => {
    const item = run(fresh(), status('in_progress', { seq: 3 }), started('p1', 'n1'))
    for (const [event, rule] of [
      [status('waiting', { seq: 2 }), 'Q6a'],
      [status('completed', { seq: 3 }), 'Q6b'],
    ] as const) {
      const { state, decision } = step(item, event)
      expect(decision).toEqual({ applied: false, rule })
      expectUnchanged(item, state)
      expect(copyOf(state, 'p1')?.status).toBe('in_progress')
    }
    // Both must carry a sequence: an event without one falls through to the status rows.
    expect(step(item, status('completed')).decision).toEqual({ applied: true, rule: 'Q2' })
    const newer = step(item, status('completed', { seq: 4 }))
    expect(newer.decision).toEqual({ applied: true, rule: 'Q2' })
    expect(newer.state.statusSequence).toBe(4)
  })

  it('I1: the first word of a copy: started and progress run it, complete and error end it', () => {
    const item = itemIn('in_progress')
    const s = step(item, started('p1', 'n1'))
    expect(s.decision).toEqual({ applied: true, rule: 'I1' })
    expect(copyOf(s.state, 'p1')?.status).toBe('in_progress')
    expect(nodeOf(s.state, 'n1')).toMatchObject({ status: 'IN_PROGRESS', outputs: [], error: null })

    const p = step(item, progress('p1', 'n1', { percentage: 0.25, image: image() }))
    expect(p.decision).toEqual({ applied: true, rule: 'I1' })
    expect(copyOf(p.state, 'p1')?.status).toBe('in_progress')
    expect(nodeOf(p.state, 'n1')).toMatchObject({
      status: 'IN_PROGRESS',
      progress: 0.25,
      progressImage: image(),
    })

    const c = step(item, complete('p1', 'n1', output(11)))
    expect(c.decision).toEqual({ applied: true, rule: 'I1' })
    expect(copyOf(c.state, 'p1')).toMatchObject({ status: 'completed', output: output(11) })
    expect(nodeOf(c.state, 'n1')).toMatchObject({ status: 'COMPLETED', outputs: [output(11)] })

    const e = step(item, error('p1', 'n1', nodeError('bad input')))
    expect(e.decision).toEqual({ applied: true, rule: 'I1' })
    expect(copyOf(e.state, 'p1')?.status).toBe('failed')
    expect(nodeOf(e.state, 'n1')).toMatchObject({
      status: 'FAILED',
      error: nodeError('bad input'),
      outputs: [],
    })
    expect(e.state.status).toBe('in_progress')
  })

  it('I2b, I2a: a running copy updates its progress, completes or fails; started again is a duplicate', () => {
    const item = itemWithCopy('in_progress')
    const p = step(item, progress('p1', 'n1', { percentage: 0.5 }))
    expect(p.decision).toEqual({ applied: true, rule: 'I2b' })
    expect(nodeOf(p.state, 'n1')).toMatchObject({ status: 'IN_PROGRESS', progress: 0.5 })

    const c = step(p.state, complete('p1', 'n1', output(3)))
    expect(c.decision).toEqual({ applied: true, rule: 'I2b' })
    expect(copyOf(c.state, 'p1')?.status).toBe('completed')
    expect(nodeOf(c.state, 'n1')).toMatchObject({ status: 'COMPLETED', outputs: [output(3)] })

    const e = step(item, error('p1', 'n1'))
    expect(e.decision).toEqual({ applied: true, rule: 'I2b' })
    expect(copyOf(e.state, 'p1')?.status).toBe('failed')
    expect(nodeOf(e.state, 'n1')).toMatchObject({ status: 'FAILED', error: nodeError() })

    const again = step(item, started('p1', 'n1'))
    expect(again.decision).toEqual({ applied: false, rule: 'I2a' })
    expectUnchanged(item, again.state)
  })

  it('I3: a completed or failed copy ignores every later invocation event (duplicates)', () => {
    for (const copy of ['completed', 'failed'] as const) {
      const item = itemWithCopy(copy)
      for (const event of [
        started('p1', 'n1'),
        progress('p1', 'n1', { percentage: 0.1 }),
        complete('p1', 'n1', output('again')),
        error('p1', 'n1'),
      ]) {
        const { state, decision } = step(item, event)
        expect(decision, `${copy} + ${event.kind}`).toEqual({ applied: false, rule: 'I3' })
        expectUnchanged(item, state)
      }
    }
    expect(nodeOf(itemWithCopy('completed'), 'n1')?.outputs).toEqual([output('p1')])
  })

  it('T1: started and progress after the item stopped are stale liveness', () => {
    for (const from of TERMINAL) {
      const item = itemIn(from)
      const interrupted = run(itemIn('in_progress', started('p1', 'n1')), status(from))
      for (const [before, event] of [
        [item, started('p9', 'n9')],
        [item, progress('p9', 'n9', { percentage: 0.3, image: image() })],
        [interrupted, progress('p1', 'n1', { percentage: 0.9, image: image() })],
        [interrupted, started('p1', 'n1')],
      ] as const) {
        const { state, decision } = step(before, event)
        expect(decision, from).toEqual({ applied: false, rule: 'T1' })
        expectUnchanged(before, state)
      }
      expect(nodeOf(interrupted, 'n1')?.status).toBe('CANCELED')
    }
  })

  it('T2: a completion after the item stopped is real: the copy completes and its output is kept', () => {
    for (const from of TERMINAL) {
      const interrupted = run(itemIn('in_progress', started('p1', 'n1')), status(from))
      expect(copyOf(interrupted, 'p1')?.status).toBe('canceled')
      const late = step(interrupted, complete('p1', 'n1', output(5)))
      expect(late.decision, `${from}, canceled copy`).toEqual({ applied: true, rule: 'T2' })
      expect(late.state.status).toBe(from)
      expect(copyOf(late.state, 'p1')).toMatchObject({ status: 'completed', output: output(5) })
      expect(nodeOf(late.state, 'n1')).toMatchObject({ status: 'COMPLETED', outputs: [output(5)] })

      const unknown = step(itemIn(from), complete('p2', 'n2', output(6)))
      expect(unknown.decision, `${from}, unknown copy`).toEqual({ applied: true, rule: 'T2' })
      expect(nodeOf(unknown.state, 'n2')).toMatchObject({ status: 'COMPLETED', outputs: [output(6)] })
    }
  })

  it('T3: after failed, the node error that follows is applied (failed comes first on the wire)', () => {
    const failed = run(itemIn('in_progress', started('p1', 'n1')), status('failed'))
    const err = nodeError('CUDA out of memory', 'OutOfMemoryError')
    const { state, decision } = step(failed, error('p1', 'n1', err))
    expect(decision).toEqual({ applied: true, rule: 'T3' })
    expect(state.status).toBe('failed')
    expect(copyOf(state, 'p1')?.status).toBe('failed')
    expect(nodeOf(state, 'n1')).toMatchObject({ status: 'FAILED', error: err })

    const neverStarted = step(itemIn('failed'), error('p2', 'n2', err))
    expect(neverStarted.decision).toEqual({ applied: true, rule: 'T3' })
    expect(nodeOf(neverStarted.state, 'n2')).toMatchObject({ status: 'FAILED', error: err })
  })

  it('T4: a node error after completed or canceled does not change the state', () => {
    for (const from of ['completed', 'canceled'] as const) {
      for (const item of [itemIn(from), run(itemIn('in_progress', started('p1', 'n1')), status(from))]) {
        const { state, decision } = step(item, error('p1', 'n1'))
        expect(decision, from).toEqual({ applied: false, rule: 'T4' })
        expectUnchanged(item, state)
      }
    }
  })

  it('R0: a reconciliation request becomes the current one and resets the record', () => {
    const item = run(itemIn('completed'), reconcileRequested('r1'), reconcileFailed('r1', false))
    expect(item.reconciliation).toMatchObject({ requestId: 'r1', phase: 'failed', attempts: 1 })
    const { state, decision } = step(item, reconcileRequested('r2'))
    expect(decision).toEqual({ applied: true, rule: 'R0' })
    expect(state.reconciliation).toEqual({
      requestId: 'r2',
      phase: 'pending',
      attempts: 0,
      lastError: null,
      snapshotStatus: null,
    })
    expect(state.status).toBe('completed')
    expect(state.settled).toBe(false)
  })

  it('R1: a terminal snapshot is the server’s word: status, copies and outputs rebuilt, item settled', () => {
    const item = run(
      itemIn('in_progress', status('in_progress', { seq: 1 })),
      started('p1', 'n1'),
      complete('p1', 'n1', output('socket-1')),
      started('p3', 'n3'),
      reconcileRequested('r1'),
    )
    const snapshot = persistedItem(
      'failed',
      {
        results: { p2: output('rest-2'), p1: output('rest-1') },
        errors: { p4: 'ValueError: bad value' },
        prepared_source_mapping: { p1: 'n1', p2: 'n1', p4: 'n4' },
        source_prepared_mapping: { n1: ['p2', 'p1'], n4: ['p4'], n5: [] },
        executed_history: ['p1', 'p2', 'n1', 'p4'],
      },
      { seq: 2, error: { type: 'ValueError', message: 'bad value' } },
    )
    const { state, decision } = step(item, snapshotEvent('r1', snapshot))
    expect(decision).toEqual({ applied: true, rule: 'R1' })
    expect(state.status).toBe('failed')
    expect(state.statusSequence).toBe(2)
    expect(state.error).toEqual({
      error_type: 'ValueError',
      error_message: 'bad value',
      error_traceback: null,
    })
    expect(copyOf(state, 'p1')).toMatchObject({ status: 'completed', output: output('socket-1') })
    expect(copyOf(state, 'p2')).toMatchObject({ status: 'completed', output: output('rest-2') })
    expect(copyOf(state, 'p3')?.status).toBe('canceled')
    expect(copyOf(state, 'p4')?.status).toBe('failed')
    expect(nodeOf(state, 'n1')).toMatchObject({
      status: 'COMPLETED',
      outputs: [output('socket-1'), output('rest-2')],
    })
    expect(nodeOf(state, 'n3')?.status).toBe('CANCELED')
    expect(nodeOf(state, 'n4')).toMatchObject({
      status: 'FAILED',
      error: { error_type: 'ValueError', error_message: 'bad value', error_traceback: null },
    })
    expect(nodeOf(state, 'n5')?.status).toBe('PENDING')
    expect(state.settled).toBe(true)
    expect(state.reconciliation).toMatchObject({ requestId: 'r1', phase: 'done', snapshotStatus: 'failed' })
  })

  it('R2: a snapshot of a run still going is no evidence: status unchanged, snapshot recorded', () => {
    const item = run(itemIn('completed', started('p1', 'n1')), reconcileRequested('r1'))
    const running = run(itemIn('in_progress', started('p1', 'n1')), reconcileRequested('r1'))
    for (const before of [item, running]) {
      const { state, decision } = step(before, snapshotEvent('r1', persistedItem('in_progress')))
      expect(decision).toEqual({ applied: true, rule: 'R2' })
      expect(state.status).toBe(before.status)
      expect(state.copies).toBe(before.copies)
      expect(state.nodes).toBe(before.nodes)
      expect(state.settled).toBe(false)
      expect(state.reconciliation).toMatchObject({
        requestId: 'r1',
        phase: 'done',
        snapshotStatus: 'in_progress',
      })
    }
  })

  it('R3: an item the server no longer has is canceled, running copies too, and settles', () => {
    const running = run(itemIn('in_progress', started('p1', 'n1')), reconcileRequested('r1'))
    const { state, decision } = step(running, snapshotGone('r1'))
    expect(decision).toEqual({ applied: true, rule: 'R3' })
    expect(state.status).toBe('canceled')
    expect(copyOf(state, 'p1')?.status).toBe('canceled')
    expect(nodeOf(state, 'n1')?.status).toBe('CANCELED')
    expect(state.settled).toBe(true)
    expect(state.reconciliation).toMatchObject({ requestId: 'r1', phase: 'done', snapshotStatus: 'gone' })

    const completed = run(itemIn('completed'), reconcileRequested('r1'))
    const gone = step(completed, snapshotGone('r1'))
    expect(gone.decision).toEqual({ applied: true, rule: 'R3' })
    expect(gone.state.status).toBe('completed')
    expect(gone.state.settled).toBe(true)
  })

  it('R4a, R4b: a stale request, or a snapshot older than the item, is ignored', () => {
    const item = run(
      fresh(),
      status('in_progress', { seq: 3 }),
      started('p1', 'n1'),
      reconcileRequested('r1'),
      reconcileRequested('r2'),
    )
    for (const [event, rule] of [
      [snapshotEvent('r1', persistedItem('completed', { results: { p1: output(1) } }, { seq: 4 })), 'R4a'],
      [snapshotGone('r1'), 'R4a'],
      [reconcileFailed('r1', true), 'R4a'],
      [reconcileAborted('r1'), 'R4a'],
      [snapshotEvent('r2', persistedItem('canceled', {}, { seq: 2 })), 'R4b'],
      [snapshotEvent('r2', persistedItem('in_progress', {}, { seq: 2 })), 'R4b'],
    ] as const) {
      const { state, decision } = step(item, event)
      expect(decision, event.kind).toEqual({ applied: false, rule })
      expectUnchanged(item, state)
      expect(state.reconciliation).toMatchObject({ requestId: 'r2', phase: 'pending' })
    }
    // Never requested at all: no current request id.
    const never = step(itemIn('completed'), snapshotGone('r1'))
    expect(never.decision).toEqual({ applied: false, rule: 'R4a' })
    expect(never.state.settled).toBe(false)
  })

  it('R5: a failed or aborted fetch changes only the record; a terminal item that gave up settles', () => {
    const terminal = run(itemIn('canceled'), reconcileRequested('r1'))
    const once = step(terminal, reconcileFailed('r1', false, 'HTTP 503'))
    expect(once.decision).toEqual({ applied: true, rule: 'R5' })
    expect(once.state.reconciliation).toMatchObject({ phase: 'failed', attempts: 1, lastError: 'HTTP 503' })
    expect(once.state.settled).toBe(false)
    expect(once.state.status).toBe('canceled')

    const gaveUp = step(once.state, reconcileFailed('r1', true, 'HTTP 500'))
    expect(gaveUp.decision).toEqual({ applied: true, rule: 'R5' })
    expect(gaveUp.state.reconciliation).toMatchObject({
      phase: 'gave_up',
      attempts: 2,
      lastError: 'HTTP 500',
    })
    expect(gaveUp.state.settled).toBe(true)

    const running = run(itemIn('in_progress', started('p1', 'n1')), reconcileRequested('r1'))
    const notTerminal = step(running, reconcileFailed('r1', true))
    expect(notTerminal.decision).toEqual({ applied: true, rule: 'R5' })
    expect(notTerminal.state.settled).toBe(false)
    expect(nodeOf(notTerminal.state, 'n1')?.status).toBe('IN_PROGRESS')

    const aborted = step(terminal, reconcileAborted('r1'))
    expect(aborted.decision).toEqual({ applied: true, rule: 'R5' })
    expect(aborted.state.reconciliation).toMatchObject({ requestId: 'r1', phase: 'aborted', attempts: 0 })
    expect(aborted.state.settled).toBe(false)
  })

  it('C1: a queue clear or bulk cancel cancels a non-terminal item at once, running copies too', () => {
    for (const from of [null, 'pending', 'in_progress', 'waiting'] as const) {
      for (const cause of ['queue_cleared', 'queue_items_canceled'] as const) {
        const item = itemIn(from, started('p1', 'n1'), started('p2', 'n2'), complete('p2', 'n2'))
        const { state, decision } = step(item, cancel(cause))
        expect(decision, `${from} ${cause}`).toEqual({ applied: true, rule: 'C1' })
        expect(state.status).toBe('canceled')
        expect(copyOf(state, 'p1')?.status).toBe('canceled')
        expect(nodeOf(state, 'n1')).toMatchObject({ status: 'CANCELED', progress: null })
        expect(nodeOf(state, 'n2')).toMatchObject({ status: 'COMPLETED', outputs: [output('p2')] })
      }
    }
  })

  it('E1: any event for an evicted item is stale', () => {
    const item = itemIn('completed')
    const events: ModelEvent[] = [
      status('in_progress', { seq: 9 }),
      started('p1', 'n1'),
      complete('p1', 'n1'),
      cancel(),
      reconcileRequested('r9'),
      snapshotGone('r9'),
    ]
    for (const event of events) {
      const { state, decision } = step(item, event, { evicted: true })
      expect(decision, event.kind).toEqual({ applied: false, rule: 'E1' })
      expectUnchanged(item, state)
    }
  })

  it('U1: a redacted companion says nothing about this user’s runs', () => {
    const item = itemIn('in_progress', started('p1', 'n1'))
    for (const event of [
      status('completed', { redacted: true }),
      complete('p1', 'n1', output(1), { redacted: true }),
    ]) {
      const { state, decision } = step(item, event)
      expect(decision).toEqual({ applied: false, rule: 'U1' })
      expectUnchanged(item, state)
    }
  })
})

describe('the rule table as a whole', () => {
  it('decides every (queue status, copy status, event) pair without throwing', () => {
    const queues: QueueState[] = [
      'none',
      'pending',
      'in_progress',
      'waiting',
      'completed',
      'failed',
      'canceled',
    ]
    const copies: CopyState[] = ['unknown', 'in_progress', 'completed', 'failed', 'canceled']
    const eventFor = (key: EventKey): ModelEvent => {
      if (key.startsWith('status:')) return status(key.slice(7) as 'pending')
      switch (key) {
        case 'started':
          return started('p1', 'n1')
        case 'progress':
          return progress('p1', 'n1')
        case 'complete':
          return complete('p1', 'n1')
        case 'error':
          return error('p1', 'n1')
        case 'cancel':
          return cancel()
        case 'reconcile_requested':
          return reconcileRequested('r1')
        case 'snapshot:terminal':
          return snapshotEvent('r1', persistedItem('completed'))
        case 'snapshot:active':
          return snapshotEvent('r1', persistedItem('in_progress'))
        case 'snapshot:gone':
          return snapshotGone('r1')
        case 'reconcile_failed':
          return reconcileFailed('r1', false)
        default:
          return reconcileAborted('r1')
      }
    }
    let pairs = 0
    for (const queue of queues) {
      for (const copy of copies) {
        const base = createQueueItemExecution(1)
        const item: QueueItemExecution = {
          ...base,
          status: queue === 'none' ? null : queue,
          copies:
            copy === 'unknown'
              ? base.copies
              : trieSet(base.copies, 'p1', {
                  preparedId: 'p1',
                  sourceNodeId: 'n1',
                  status: copy,
                  output: null,
                  delivered: false,
                }),
          reconciliation: { ...base.reconciliation, requestId: 'r1' },
        }
        for (const key of ALL_EVENTS) {
          const decision = decide(item, eventFor(key))
          expect(RULES.some((rule) => rule.id === decision.rule)).toBe(true)
          pairs += 1
        }
      }
    }
    expect(pairs).toBe(7 * 5 * ALL_EVENTS.length)
  })

  it('records each decision, ignored ones too, in a bounded ring', () => {
    let item = itemIn('in_progress')
    for (let i = 0; i < 40; i += 1) item = step(item, status('pending')).state
    const recent = recentDecisions(item.decisions)
    expect(recent).toHaveLength(16)
    expect(recent.at(-1)).toEqual({ rule: 'Q4a', event: 'status:pending', applied: false })
    expect(item.decisions.total).toBe(41)
  })
})
