import type { UnknownAction } from '@reduxjs/toolkit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { queueItemsCanceled } from '../../../../invokeai'
import { queueCleared } from '../../../../invokeai'
import { reconcileQueueItem, workflowExecutionReducer } from './helpers'
import type { InvocationCopy, NodeStatus, QueueItemExecution } from '../../model/types'
import { createInitialState, type WorkflowExecutionState } from '../state'
import {
  completeAction,
  errorAction,
  progressAction,
  snapshotOf,
  startedAction,
  statusChanged,
} from './helpers'
import { copiesOf, nodesOf } from '../../model/read'
import { itemOf } from '../..'
import { trieValues } from '../../model/structures/hashTrie'

/*
 * Random, schema-valid traffic for a handful of items through the slice reducer: it never throws, and
 * after every action the state keeps the invariants docs/guarantees.md promises.
 */

const ITEM_IDS = [1, 2, 3, 4, 5]
const ORIGINS = ['workflows', 'canvas', null] as const
const STATUSES = ['pending', 'in_progress', 'waiting', 'completed', 'failed', 'canceled'] as const
const TERMINAL = new Set(['completed', 'failed', 'canceled'])

const itemIdArb = fc.constantFrom(...ITEM_IDS)
const originArb = fc.constantFrom(...ORIGINS)
const copyArb = fc.constantFrom(['a', 'iter'], ['b', 'iter'], ['c', 'solo'])

const actionArb: fc.Arbitrary<UnknownAction> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(itemIdArb, fc.constantFrom(...STATUSES), fc.option(fc.nat(4), { nil: null }), originArb)
      .map(([itemId, status, seq, origin]) => statusChanged(itemId, status, seq, { origin })),
  },
  {
    weight: 6,
    arbitrary: fc
      .tuple(itemIdArb, copyArb, fc.constantFrom('started', 'progress', 'complete', 'error'), originArb)
      .map(([itemId, [preparedId, nodeId], phase, origin]) => {
        const options = { origin }
        if (phase === 'started') return startedAction(itemId, preparedId, nodeId, options)
        if (phase === 'progress') return progressAction(itemId, preparedId, nodeId, 0.5, options)
        if (phase === 'complete')
          return completeAction(itemId, preparedId, nodeId, `${itemId}-${preparedId}`, options)
        return errorAction(itemId, preparedId, nodeId, options)
      }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant(queueCleared({ queue_id: 'default', user_id: null })),
      fc.subarray(ITEM_IDS).map((ids) => queueItemsCanceled({ queue_id: 'default', canceled_item_ids: ids })),
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        itemIdArb,
        fc.constantFrom('r1', 'r2'),
        fc.constantFrom('pending', 'snapshot', 'gone', 'failed', 'aborted'),
      )
      .map(([itemId, requestId, kind]): UnknownAction => {
        const arg = { itemId }
        switch (kind) {
          case 'pending':
            return reconcileQueueItem.pending(requestId, arg)
          case 'snapshot':
            return reconcileQueueItem.fulfilled(
              { kind: 'snapshot', snapshot: snapshotOf(itemId, 'completed') },
              requestId,
              arg,
            )
          case 'gone':
            return reconcileQueueItem.fulfilled({ kind: 'gone' }, requestId, arg)
          case 'failed':
            return reconcileQueueItem.rejected(new Error('HTTP 500'), requestId, arg, {
              error: 'HTTP 500',
              attempts: 4,
            })
          default:
            return reconcileQueueItem.rejected(
              Object.assign(new Error('x'), { name: 'AbortError' }),
              requestId,
              arg,
            )
        }
      }),
  },
)

function aggregate(copies: InvocationCopy[]): NodeStatus {
  if (copies.some((copy) => copy.status === 'failed')) return 'FAILED'
  if (copies.some((copy) => copy.status === 'in_progress')) return 'IN_PROGRESS'
  if (copies.some((copy) => copy.status === 'canceled')) return 'CANCELED'
  if (copies.some((copy) => copy.status === 'completed')) return 'COMPLETED'
  return 'PENDING'
}

function checkItem(item: QueueItemExecution): void {
  const copies = copiesOf(item)
  for (const node of Object.values(nodesOf(item))) {
    const own = copies.filter((copy) => copy.sourceNodeId === node.nodeId)
    expect(node.status, `item ${item.itemId} node ${node.nodeId}`).toBe(aggregate(own))
    const completed = own
      .filter((copy) => copy.status === 'completed' && copy.output)
      .map((copy) => JSON.stringify(copy.output))
    expect(node.outputs.map((output) => JSON.stringify(output)).sort()).toEqual(completed.sort())
  }
  if (item.settled) expect(TERMINAL.has(item.status ?? '')).toBe(true)
  if (item.settled || TERMINAL.has(item.status ?? '')) {
    expect(
      copies.some((copy) => copy.status === 'in_progress'),
      `item ${item.itemId}`,
    ).toBe(false)
  }
}

function checkState(state: WorkflowExecutionState): void {
  const items = state.items.ids.map((id) => itemOf(state.items, id) as QueueItemExecution)
  expect(trieValues(state.items.byId)).toHaveLength(items.length)
  items.forEach(checkItem)
  for (const id of state.evictedIds) expect(itemOf(state.items, id)).toBeUndefined()
  for (const id of Object.values(state.activeItemIdByOrigin)) expect(itemOf(state.items, id)).toBeDefined()

  // Only unsettled items and origins' active items may keep the count above maxItems.
  const active = new Set(Object.values(state.activeItemIdByOrigin))
  const protectedCount = items.filter((item) => !item.settled || active.has(item.itemId)).length
  expect(items.length, 'evictable items kept above the bound').toBeLessThanOrEqual(
    Math.max(state.config.maxItems, protectedCount),
  )
}

describe('random traffic through the slice', () => {
  it('never throws, and every action leaves aggregation, settlement and eviction invariants intact', () => {
    fc.assert(
      fc.property(
        fc.array(actionArb, { minLength: 1, maxLength: 60 }),
        fc.constantFrom<string[] | null>(null, [], ['workflows']),
        fc.integer({ min: 1, max: 4 }),
        (actions, reconcileOrigins, maxItems) => {
          let state = createInitialState({ maxItems, reconcileOrigins, maxEvictedIds: 3 })
          for (const action of actions) {
            state = workflowExecutionReducer(state, action)
            checkState(state)
          }
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 200) },
    )
  })
})
