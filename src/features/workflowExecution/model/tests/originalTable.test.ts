import { describe, expect, it } from 'vitest'
import { persisted, sequences } from '../../../../../test/fixtures'
import { socketEventActions } from '../../../../invokeai'
import { reconcileQueueItem, workflowExecutionReducer } from '../../slice/tests/helpers'
import { createInitialState, type WorkflowExecutionState } from '../../slice/state'
import type { CopyStatus, ModelEvent, QueueItemExecution, RuleId } from '../types'
import type { QueueStatus } from '../../../../invokeai/wire/types'
import {
  complete,
  error,
  expectUnchanged,
  itemIn,
  itemWithCopy,
  output,
  progress,
  run,
  started,
  status,
  step,
  withoutNulls,
  copyOf,
  nodeOf,
} from './builders'
import { nodesOf } from '../read'
import { itemOf } from '../..'

/*
 * The original 40-row table, one named test per row. Rows where this model differs on purpose (T2:
 * a completion after failed or canceled is applied) say so in their name.
 */

interface Row {
  name: string
  item: () => QueueItemExecution
  event: ModelEvent
  applied: boolean
  rule: RuleId
  then: (state: QueueItemExecution) => void
}

const statusRow = (from: QueueStatus | null, to: QueueStatus, applied: boolean, rule: RuleId): Row => ({
  name: `original: queue ${from ?? 'null'} → ${to} ${applied ? 'applies' : 'is ignored'}`,
  item: () => itemIn(from),
  event: status(to),
  applied,
  rule,
  then: (state) => expect(state.status).toBe(applied ? to : from),
})

/** An item in `queue` whose copy p1 (node n1) is `copy`; 'unknown' = never heard of. */
function itemWith(queue: 'in_progress' | 'completed' | 'failed' | 'canceled', copy: CopyStatus | 'unknown') {
  if (queue === 'in_progress') return itemWithCopy(copy)
  if (copy === 'unknown') return itemIn(queue)
  // The copy was running when the item stopped: it is canceled now, not completed nor failed.
  return run(itemWithCopy(copy), status(queue))
}

const invocationEvents = {
  started: started('p1', 'n1'),
  progress: progress('p1', 'n1', { percentage: 0.4 }),
  complete: complete('p1', 'n1', output(42)),
  error: error('p1', 'n1'),
}
type Phase = keyof typeof invocationEvents

const NODE_STATUS: Record<CopyStatus, string> = {
  in_progress: 'IN_PROGRESS',
  completed: 'COMPLETED',
  failed: 'FAILED',
  canceled: 'CANCELED',
}

function invocationRow(
  name: string,
  queue: 'in_progress' | 'completed' | 'failed' | 'canceled',
  copy: CopyStatus | 'unknown',
  phase: Phase,
  expected: { applied: boolean; rule: RuleId; copy?: CopyStatus },
): Row {
  return {
    name: `original: ${name}`,
    item: () => itemWith(queue, copy),
    event: invocationEvents[phase],
    applied: expected.applied,
    rule: expected.rule,
    then: (state) => {
      expect(state.status).toBe(queue)
      if (!expected.copy) return
      expect(copyOf(state, 'p1')?.status).toBe(expected.copy)
      expect(nodeOf(state, 'n1')?.status).toBe(NODE_STATUS[expected.copy])
      if (expected.copy === 'completed') expect(nodeOf(state, 'n1')?.outputs).toEqual([output(42)])
      if (expected.copy === 'failed') expect(nodeOf(state, 'n1')?.error?.error_message).toBe('boom')
    },
  }
}

const ROWS: Row[] = [
  statusRow(null, 'pending', true, 'Q1b'),
  statusRow(null, 'in_progress', true, 'Q1b'),
  statusRow(null, 'completed', true, 'Q1b'),
  statusRow(null, 'failed', true, 'Q1b'),
  statusRow(null, 'canceled', true, 'Q1b'),
  statusRow('pending', 'in_progress', true, 'Q1b'),
  statusRow('pending', 'completed', true, 'Q1b'),
  statusRow('pending', 'failed', true, 'Q1b'),
  statusRow('pending', 'canceled', true, 'Q1b'),
  statusRow('in_progress', 'completed', true, 'Q2'),
  statusRow('in_progress', 'failed', true, 'Q2'),
  statusRow('in_progress', 'canceled', true, 'Q2'),
  statusRow('completed', 'pending', false, 'Q5'),
  statusRow('completed', 'in_progress', false, 'Q5'),
  statusRow('failed', 'pending', false, 'Q5'),
  statusRow('failed', 'in_progress', false, 'Q5'),
  statusRow('canceled', 'pending', false, 'Q5'),
  statusRow('canceled', 'in_progress', false, 'Q5'),

  invocationRow('invocation unknown → started: in_progress', 'in_progress', 'unknown', 'started', {
    applied: true,
    rule: 'I1',
    copy: 'in_progress',
  }),
  invocationRow('invocation unknown → progress: in_progress', 'in_progress', 'unknown', 'progress', {
    applied: true,
    rule: 'I1',
    copy: 'in_progress',
  }),
  invocationRow('invocation unknown → complete: completed', 'in_progress', 'unknown', 'complete', {
    applied: true,
    rule: 'I1',
    copy: 'completed',
  }),
  invocationRow('invocation unknown → error: failed', 'in_progress', 'unknown', 'error', {
    applied: true,
    rule: 'I1',
    copy: 'failed',
  }),
  invocationRow('invocation in_progress → complete applies', 'in_progress', 'in_progress', 'complete', {
    applied: true,
    rule: 'I2b',
    copy: 'completed',
  }),
  invocationRow('invocation in_progress → error applies', 'in_progress', 'in_progress', 'error', {
    applied: true,
    rule: 'I2b',
    copy: 'failed',
  }),
  invocationRow('invocation completed → started is ignored', 'in_progress', 'completed', 'started', {
    applied: false,
    rule: 'I3',
  }),
  invocationRow('invocation completed → progress is ignored', 'in_progress', 'completed', 'progress', {
    applied: false,
    rule: 'I3',
  }),
  invocationRow('invocation completed → error is ignored', 'in_progress', 'completed', 'error', {
    applied: false,
    rule: 'I3',
  }),
  invocationRow('invocation failed → started is ignored', 'in_progress', 'failed', 'started', {
    applied: false,
    rule: 'I3',
  }),
  invocationRow('invocation failed → progress is ignored', 'in_progress', 'failed', 'progress', {
    applied: false,
    rule: 'I3',
  }),
  invocationRow('invocation failed → complete is ignored', 'in_progress', 'failed', 'complete', {
    applied: false,
    rule: 'I3',
  }),

  invocationRow(
    'queue completed: complete of a non-terminal invocation applies',
    'completed',
    'in_progress',
    'complete',
    {
      applied: true,
      rule: 'T2',
      copy: 'completed',
    },
  ),
  invocationRow('queue completed: started is ignored', 'completed', 'unknown', 'started', {
    applied: false,
    rule: 'T1',
  }),
  invocationRow('queue completed: progress is ignored', 'completed', 'in_progress', 'progress', {
    applied: false,
    rule: 'T1',
    copy: 'canceled',
  }),
  invocationRow('queue completed: error is ignored', 'completed', 'in_progress', 'error', {
    applied: false,
    rule: 'T4',
    copy: 'canceled',
  }),

  invocationRow(
    'queue failed: error of a non-terminal invocation applies',
    'failed',
    'in_progress',
    'error',
    {
      applied: true,
      rule: 'T3',
      copy: 'failed',
    },
  ),
  invocationRow('queue failed: started is ignored', 'failed', 'unknown', 'started', {
    applied: false,
    rule: 'T1',
  }),
  invocationRow('queue failed: progress is ignored', 'failed', 'in_progress', 'progress', {
    applied: false,
    rule: 'T1',
    copy: 'canceled',
  }),
  invocationRow(
    'queue failed: complete (first version ignored it) is applied here (T2)',
    'failed',
    'in_progress',
    'complete',
    { applied: true, rule: 'T2', copy: 'completed' },
  ),

  invocationRow(
    'queue canceled: complete (first version ignored it) is applied here (T2)',
    'canceled',
    'in_progress',
    'complete',
    { applied: true, rule: 'T2', copy: 'completed' },
  ),
  invocationRow('queue canceled: started is ignored', 'canceled', 'unknown', 'started', {
    applied: false,
    rule: 'T1',
  }),
  invocationRow('queue canceled: progress is ignored', 'canceled', 'in_progress', 'progress', {
    applied: false,
    rule: 'T1',
    copy: 'canceled',
  }),
  invocationRow('queue canceled: error is ignored', 'canceled', 'in_progress', 'error', {
    applied: false,
    rule: 'T4',
    copy: 'canceled',
  }),
]

describe('the original table, row by row', () => {
  it.each(ROWS.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const before = row.item()
    const { state, decision } = step(before, row.event)
    expect(decision).toEqual({ applied: row.applied, rule: row.rule })
    if (!row.applied) expectUnchanged(before, state)
    row.then(state)
  })

  it('original: reconciliation of a completed item: queue completed, persisted ids completed, outputs rebuilt from the session', () => {
    const item42 = sequences.item42()
    const snapshot = persisted.item42()
    // Only the status events reached this client: every node output must come from the session.
    let state: WorkflowExecutionState = createInitialState()
    for (const [name, payload] of item42) {
      if (name !== 'queue_item_status_changed') continue
      state = workflowExecutionReducer(state, socketEventActions[name](payload as never))
    }
    expect(itemOf(state.items, 42)?.status).toBe('completed')
    expect(Object.keys(nodesOf(itemOf(state.items, 42)))).toEqual([])

    const arg = { itemId: 42 }
    state = workflowExecutionReducer(state, reconcileQueueItem.pending('req-1', arg))
    expect(itemOf(state.items, 42)?.reconciliation).toMatchObject({ requestId: 'req-1', phase: 'pending' })
    state = workflowExecutionReducer(
      state,
      reconcileQueueItem.fulfilled({ kind: 'snapshot', snapshot }, 'req-1', arg),
    )

    const item = itemOf(state.items, 42) as QueueItemExecution
    expect(item.status).toBe('completed')
    expect(item.settled).toBe(true)
    expect(item.reconciliation).toMatchObject({
      requestId: 'req-1',
      phase: 'done',
      snapshotStatus: 'completed',
    })
    const { results = {}, source_prepared_mapping = {}, executed_history = [] } = snapshot.session
    for (const preparedId of Object.keys(results)) expect(copyOf(item, preparedId)?.status).toBe('completed')
    for (const [sourceId, preparedIds] of Object.entries(source_prepared_mapping)) {
      const inOrder = [...preparedIds].sort(
        (a, b) => executed_history.indexOf(a) - executed_history.indexOf(b),
      )
      expect(nodeOf(item, sourceId)?.status).toBe('COMPLETED')
      expect(nodeOf(item, sourceId)?.outputs).toEqual(inOrder.map((id) => results[id]))
    }
  })

  it('original: reconciliation keeps outputs the socket already delivered, in execution order', () => {
    let state: WorkflowExecutionState = createInitialState()
    for (const [name, payload] of sequences.item42()) {
      state = workflowExecutionReducer(state, socketEventActions[name](payload as never))
    }
    const arg = { itemId: 42 }
    state = workflowExecutionReducer(state, reconcileQueueItem.pending('req-1', arg))
    state = workflowExecutionReducer(
      state,
      reconcileQueueItem.fulfilled({ kind: 'snapshot', snapshot: persisted.item42() }, 'req-1', arg),
    )
    const node = nodeOf(itemOf(state.items, 42), 'a7c3e1f9-2b4d-4f6a-8c0e-9d1b3f5a7c2e')
    expect(node?.status).toBe('COMPLETED')
    expect(withoutNulls(node?.outputs)).toEqual([
      { value: 11, type: 'integer_output' },
      { value: 12, type: 'integer_output' },
    ])
  })
})
