import { configureStore } from '@reduxjs/toolkit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createWorkflowExecution,
  selectQueueItemExecution,
  type NodeStatus,
  type QueueItemExecution,
  type SessionQueueItem,
} from '../src'
import { applySnapshot, createQueueItemExecution } from '../src/features/workflowExecution'
import { socketEventActions } from '../src/invokeai'
import { persistedRunOfQueueItem } from '../src/invokeai'
import { persisted, sequences, type SocketSequence } from './fixtures'
import { nodesOf } from '../src/features/workflowExecution/model/read'

/*
 * Whatever order and duplication the socket delivers the fixture runs in, the store ends where the
 * persisted session says: the same node statuses and the same set of outputs.
 */

interface NodeView {
  status: NodeStatus
  outputs: string[]
}

/** Deep copy without null-valued fields: socket results carry `output_meta: null`, REST omits nulls. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== null)
        .map(([key, inner]) => [key, withoutNulls(inner)]),
    )
  }
  return value
}

/** Node statuses and output sets (order-free, nulls removed) of an item. */
function view(item: QueueItemExecution): Record<string, NodeView> {
  return Object.fromEntries(
    Object.values(nodesOf(item)).map((node) => [
      node.nodeId,
      {
        status: node.status,
        outputs: node.outputs.map((output) => JSON.stringify(withoutNulls(output))).sort(),
      },
    ]),
  )
}

function projection(snapshot: SessionQueueItem): Record<string, NodeView> {
  return view(applySnapshot(createQueueItemExecution(snapshot.item_id), persistedRunOfQueueItem(snapshot)))
}

function replay(events: SocketSequence): ReturnType<typeof createStore> {
  const store = createStore()
  for (const [name, payload] of events) store.dispatch(socketEventActions[name](payload as never))
  return store
}

/** A real store with RTK's dev checks on; only their slowness warning (timing) is silenced. */
function createStore() {
  return configureStore({
    reducer: { workflowExecution: createWorkflowExecution().reducer },
    middleware: (getDefaultMiddleware) =>
      getDefaultMiddleware({
        immutableCheck: { warnAfter: 60_000 },
        serializableCheck: { warnAfter: 60_000 },
      }),
  })
}

function trackedItem(store: ReturnType<typeof createStore>, itemId: number): QueueItemExecution {
  const item = selectQueueItemExecution(store.getState(), itemId)
  expect(item, `item ${itemId} is tracked`).toBeDefined()
  return item as QueueItemExecution
}

/** 6.12-6.13 delivery: every event twice, interleaved A, B, A, B; the second progress has no image. */
function deliveredTwice(events: SocketSequence): SocketSequence {
  const out: SocketSequence = []
  for (let i = 0; i < events.length; i += 2) {
    const pair = events.slice(i, i + 2)
    out.push(...pair)
    for (const [name, payload] of pair) {
      out.push([name, name === 'invocation_progress' ? { ...payload, image: null } : payload])
    }
  }
  return out
}

const RUNS = [
  {
    name: 'item 42 (completed, iterate fan-out)',
    itemId: 42,
    events: sequences.item42,
    snapshot: persisted.item42,
  },
  {
    name: 'item 43 (failed: failed before invocation_error)',
    itemId: 43,
    events: sequences.item43,
    snapshot: persisted.item43,
  },
]

function expectConverged(store: ReturnType<typeof createStore>, run: (typeof RUNS)[number]): void {
  const item = trackedItem(store, run.itemId)
  const snapshot = run.snapshot()
  expect(item.status).toBe(snapshot.status)
  expect(view(item)).toEqual(projection(snapshot))
  expect(Object.values(nodesOf(item)).some((node) => node.status === 'IN_PROGRESS')).toBe(false)
}

describe('replaying the fixture runs converges to the persisted session', () => {
  it('the projection of the persisted sessions is what the fixtures say', () => {
    expect(projection(persisted.item42())).toMatchObject({
      '5d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a': { status: 'COMPLETED' },
      'a7c3e1f9-2b4d-4f6a-8c0e-9d1b3f5a7c2e': {
        status: 'COMPLETED',
        outputs: ['{"value":11,"type":"integer_output"}', '{"value":12,"type":"integer_output"}'],
      },
    })
    expect(projection(persisted.item43())).toMatchObject({
      '8e2f4a6c-1b3d-4e5f-9a7b-c9d1e3f5a7b9': { status: 'COMPLETED' },
      '4b6d8f0a-2c4e-4a6c-8e0a-b2d4f6a8c0e2': { status: 'FAILED', outputs: [] },
    })
  })

  describe.each(RUNS)('$name', (run) => {
    it('in order', () => {
      expectConverged(replay(run.events()), run)
    })

    it('with every event delivered twice, interleaved A, B, A, B (6.13), and the 6.13 tail appended', () => {
      const events = [
        ...deliveredTwice(run.events()),
        ...(run.itemId === 42 ? sequences.item42DuplicateTail() : []),
      ]
      expect(events.length).toBeGreaterThan(2 * run.events().length - 1)
      expectConverged(replay(events), run)
    })

    it('in 250 shuffled orders', () => {
      const events = run.events()
      fc.assert(
        fc.property(
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          (order) => {
            expectConverged(replay(order), run)
          },
        ),
        { numRuns: 250, seed: 42 },
      )
    })

    it('in 100 shuffled orders of the twice-delivered run', () => {
      const events = deliveredTwice(run.events())
      fc.assert(
        fc.property(
          fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          (order) => {
            expectConverged(replay(order), run)
          },
        ),
        { numRuns: 100, seed: 43 },
      )
    })
  })

  it('two runs delivered interleaved stay apart and both converge', () => {
    const a = sequences.item42()
    const b = sequences.item43()
    const mixed: SocketSequence = []
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      if (a[i]) mixed.push(a[i] as SocketSequence[number])
      if (b[i]) mixed.push(b[i] as SocketSequence[number])
    }
    const store = replay(mixed)
    for (const run of RUNS) expectConverged(store, run)
  })
})
