import { configureStore } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import {
  createWorkflowExecution,
  selectNodeExecutionState,
  selectRecentDecisions,
  type SocketEventName,
} from '../src'
import { socketEventActions } from '../src/invokeai'
import { persisted, sequences, type SocketSequence } from './fixtures'
import type { Engine } from './helpers/engine'
import { useEngines } from './helpers/harness'
import { complete, persistedItem, started, statusChanged, stripNulls } from './helpers/wire'
import { nodesOf } from '../src/features/workflowExecution/model/read'

const engine = useEngines()

const one = { itemId: 1 }

/** 6.12-6.13 servers: every event twice, interleaved A, B, A, B (the second progress without its image). */
function deliveredTwice(sequence: SocketSequence): SocketSequence {
  const out: SocketSequence = []
  for (let i = 0; i < sequence.length; i += 2) {
    const pair = sequence.slice(i, i + 2)
    out.push(
      ...pair,
      ...pair.map(([name, payload]): SocketSequence[number] => [
        name,
        name === 'invocation_progress' ? { ...payload, image: null } : payload,
      ]),
    )
  }
  return out
}

/** The node table the persisted session implies: status and outputs (in execution order) per source node. */
function persistedTable(itemId: 42 | 43) {
  const item = itemId === 42 ? persisted.item42() : persisted.item43()
  const { session } = item
  const history = session.executed_history ?? []
  const table: Record<string, { status: string; outputs: unknown[] }> = {}
  for (const [sourceId, preparedIds] of Object.entries(session.source_prepared_mapping ?? {})) {
    const ordered = [...preparedIds].sort((a, b) => history.indexOf(a) - history.indexOf(b))
    const failed = ordered.some((id) => session.errors?.[id] !== undefined)
    table[sourceId] = {
      status: failed ? 'FAILED' : 'COMPLETED',
      outputs: ordered.filter((id) => session.results?.[id]).map((id) => session.results?.[id]),
    }
  }
  return table
}

function nodeTable(e: Engine, itemId: number) {
  const item = e.item(itemId)
  return Object.fromEntries(
    Object.values(nodesOf(item)).map((node) => [
      node.nodeId,
      { status: node.status, outputs: stripNulls(node.outputs) },
    ]),
  )
}

describe('what the server persisted wins, in execution order', () => {
  it.each([
    ['in order', (s: SocketSequence) => s],
    ['delivered twice as 6.13 did', deliveredTwice],
  ])(
    'the fixture sequences %s end in the persisted table with outputs in execution order',
    async (_label, deliver) => {
      const e = engine()
      e.queueItems.setItem(persisted.item42())
      e.queueItems.setItem(persisted.item43())
      const events = [
        ...deliver(sequences.item42()),
        ...sequences.item42DuplicateTail(),
        ...deliver(sequences.item43()),
      ]
      for (const [name, payload] of events) e.push(name, payload)
      await e.settle()

      expect(nodeTable(e, 42)).toEqual(persistedTable(42))
      expect(nodeTable(e, 43)).toEqual(persistedTable(43))
      expect(e.item(42)).toMatchObject({ status: 'completed', settled: true })
      expect(e.item(43)).toMatchObject({ status: 'failed', settled: true })
      const delivered = e.outputs().map((output) => `${output.itemId}:${output.preparedId}`)
      expect(new Set(delivered).size).toBe(delivered.length)
      expect(delivered).toHaveLength(6)
    },
  )

  it('outputs that arrived out of order are put back in execution order by reconciliation', async () => {
    const e = engine()
    e.queueItems.setItem(persisted.item42())
    const events = sequences.item42()
    const adds = events.filter(
      ([name, payload]) =>
        name === 'invocation_complete' &&
        payload.invocation_source_id === 'a7c3e1f9-2b4d-4f6a-8c0e-9d1b3f5a7c2e',
    )
    const rest = events.filter((event) => !adds.includes(event))
    for (const [name, payload] of [...rest.slice(0, -1), ...adds.reverse(), rest.at(-1)!])
      e.push(name, payload)
    const addNode = 'a7c3e1f9-2b4d-4f6a-8c0e-9d1b3f5a7c2e'
    expect(
      selectNodeExecutionState(e.store.getState(), 42, addNode)?.outputs.map(
        (o) => (o as unknown as { value: number }).value,
      ),
    ).toEqual([12, 11])
    await e.settle()
    expect(
      selectNodeExecutionState(e.store.getState(), 42, addNode)?.outputs.map(
        (o) => (o as unknown as { value: number }).value,
      ),
    ).toEqual([11, 12])
  })

  it('a stale request id is ignored with R4a, and a snapshot older than what the item knows with R4b', async () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged(one, 'waiting', 2))
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 3))
    const before = e.item(1)

    e.store.dispatch(
      e.engine.reconcileQueueItem.fulfilled(
        { kind: 'snapshot', snapshot: persistedItem(one, 'completed', 9, []) },
        'not-current',
        { itemId: 1 },
      ),
    )
    expect(e.item(1)).toMatchObject({ status: 'in_progress', settled: false })
    expect(selectRecentDecisions(e.store.getState(), 1).at(-1)).toEqual({
      rule: 'R4a',
      event: 'snapshot:terminal',
      applied: false,
    })

    // A cached answer from before the resume: sequence 1 < 3.
    e.queueItems.setItem(persistedItem(one, 'canceled', 1, []))
    await e.store.dispatch(e.engine.reconcileQueueItem({ itemId: 1 }))
    expect(e.item(1)).toMatchObject({
      status: 'in_progress',
      statusSequence: 3,
      settled: false,
      nodes: before?.nodes,
    })
    expect(selectRecentDecisions(e.store.getState(), 1).at(-1)).toEqual({
      rule: 'R4b',
      event: 'snapshot:terminal',
      applied: false,
    })
  })

  it('a non-terminal snapshot changes no status; a terminal one settles the item though the socket never said so', async () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'p', 'n'))
    e.queueItems.setItem(persistedItem(one, 'in_progress', 1, []))
    await e.store.dispatch(e.engine.reconcileQueueItem({ itemId: 1 }))
    expect(e.item(1)).toMatchObject({
      status: 'in_progress',
      settled: false,
      reconciliation: { snapshotStatus: 'in_progress' },
    })
    expect(selectRecentDecisions(e.store.getState(), 1).at(-1)?.rule).toBe('R2')
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')?.status).toBe('IN_PROGRESS')

    e.queueItems.setItem(
      persistedItem(one, 'completed', 2, [{ preparedId: 'p', sourceId: 'n', result: { type: 'x' } }]),
    )
    await e.store.dispatch(e.engine.reconcileQueueItem({ itemId: 1 }))
    expect(e.item(1)).toMatchObject({ status: 'completed', statusSequence: 2, settled: true })
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')).toMatchObject({
      status: 'COMPLETED',
      outputs: [{ type: 'x' }],
    })
  })

  it('a persisted result missing from source_prepared_mapping is attributed through prepared_source_mapping', async () => {
    const e = engine()
    e.queueItems.setItem(
      persistedItem(one, 'completed', 2, [{ preparedId: 'p', sourceId: 'n', result: { type: 'x' } }], {
        omitFromSourceMapping: ['p'],
      }),
    )
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    await e.settle()
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')).toMatchObject({
      status: 'COMPLETED',
      outputs: [{ type: 'x' }],
    })
    expect(e.item(1)?.orphanOutputs).toEqual([])
  })

  it('a persisted result that neither mapping attributes is kept as an orphan, counted and delivered once', async () => {
    const e = engine()
    e.queueItems.setItem(
      persistedItem(
        one,
        'completed',
        2,
        [{ preparedId: 'lost', sourceId: 'n', result: { type: 'image_output' } }],
        {
          omitFromSourceMapping: ['lost'],
          omitFromPreparedMapping: ['lost'],
        },
      ),
    )
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    await e.settle()
    expect(e.item(1)?.orphanOutputs).toEqual([
      { preparedId: 'lost', output: { type: 'image_output' }, invocationType: null, isIntermediate: null },
    ])
    expect(e.outputs()).toEqual([
      expect.objectContaining({ preparedId: 'lost', sourceNodeId: null, via: 'reconciliation' }),
    ])
    await e.store.dispatch(e.engine.reconcileQueueItem({ itemId: 1 }))
    expect(e.item(1)?.orphanOutputs).toHaveLength(1)
    expect(e.outputs()).toHaveLength(1)
  })

  it('time travel: the action log of a whole scenario replayed into a store without listeners gives the same state', async () => {
    const e = engine()
    e.queueItems.setItem(persisted.item42())
    e.queueItems.setItem(persisted.item43())
    for (const [name, payload] of [...sequences.item42(), ...deliveredTwice(sequences.item43())])
      e.push(name, payload)
    e.push('invocation_complete', complete({ itemId: 43 }, 'late', 'late-node', { type: 'x' }))
    e.socket.reconnect()
    await e.settle()

    const replay = configureStore({
      reducer: { workflowExecution: createWorkflowExecution().reducer },
      preloadedState: e.preloadedState,
    })
    for (const action of e.reduced) replay.dispatch(action)
    expect(e.reduced.length).toBeGreaterThan(30)
    expect(replay.getState()).toEqual(e.store.getState())
  })

  it('socket actions carry the payload exactly as received', () => {
    const [name, payload] = sequences.item42()[1] as [SocketEventName, Record<string, unknown>]
    expect(socketEventActions[name](payload as never).payload).toBe(payload)
  })
})
