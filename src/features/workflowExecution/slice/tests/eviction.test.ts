import { describe, expect, it } from 'vitest'
import { reconcileQueueItem } from './helpers'
import { createInitialState, type WorkflowExecutionState } from '../state'
import { selectActiveItemId, selectQueueItemIds } from '../selectors'
import {
  completeAction,
  progressAction,
  reconciled,
  reduce,
  runActions,
  snapshotOf,
  startedAction,
  statusChanged,
} from './helpers'
import { itemOf } from '../..'
import { trieValues } from '../../model/structures/hashTrie'

const ids = (state: WorkflowExecutionState) => [...state.items.ids].sort((a, b) => a - b)

describe('LRU eviction', () => {
  it('holds the bound after 10,000 items that each reached a terminal status and settled', () => {
    const maxItems = 50
    const maxEvictedIds = 100
    const TERMINAL = ['completed', 'failed', 'canceled'] as const
    let state = createInitialState({ maxItems, maxEvictedIds, reconcileOrigins: [] })
    let largest = 0
    for (let itemId = 1; itemId <= 10_000; itemId += 1) {
      // Events of a fast run can beat the enqueue response: the terminal status introduces the item.
      state = reduce(state, statusChanged(itemId, TERMINAL[itemId % 3] as string, 2, { origin: null }))
      expect(itemOf(state.items, itemId)?.settled).toBe(true)
      largest = Math.max(largest, state.items.ids.length)
    }
    expect(largest).toBeLessThanOrEqual(maxItems)
    expect(state.items.ids).toHaveLength(maxItems)
    expect(trieValues(state.items.byId)).toHaveLength(maxItems)
    // The most recent ones stay.
    expect(ids(state)).toEqual(Array.from({ length: maxItems }, (_, i) => 10_000 - maxItems + 1 + i))
    expect(state.evictionCount).toBe(10_000 - maxItems)
    expect(state.evictedIds).toHaveLength(maxEvictedIds)
  })

  it('holds the bound when items settle through reconciliation (pending, then fulfilled)', () => {
    const maxItems = 20
    let state = createInitialState({ maxItems, maxEvictedIds: 50 })
    for (let itemId = 1; itemId <= 500; itemId += 1) {
      state = reduce(
        state,
        ...runActions(itemId),
        ...reconciled(itemId, `req-${itemId}`, snapshotOf(itemId, 'completed')),
      )
      expect(itemOf(state.items, itemId)?.settled).toBe(true)
      // Added while the others were all settled: at most one over, until it settles itself.
      expect(state.items.ids.length).toBeLessThanOrEqual(maxItems)
    }
    expect(ids(state)).toEqual(Array.from({ length: maxItems }, (_, i) => 500 - maxItems + 1 + i))
  })

  it('a touched item becomes most recent: it survives and the least recently touched settled one goes', () => {
    let state = createInitialState({ maxItems: 3, reconcileOrigins: [] })
    state = reduce(state, ...runActions(1), ...runActions(2), ...runActions(3))
    expect(ids(state)).toEqual([1, 2, 3])
    // A late completion of item 1 touches it.
    state = reduce(state, completeAction(1, 'late', 'node'))
    state = reduce(state, ...runActions(4))
    expect(ids(state)).toEqual([1, 3, 4])
    state = reduce(state, ...runActions(5))
    expect(ids(state)).toEqual([1, 4, 5])
  })

  it('never evicts an item that has not settled, even past the bound', () => {
    let state = createInitialState({ maxItems: 2 })
    // Terminal but waiting for reconciliation (every origin is reconciled by default): not settled.
    state = reduce(state, ...runActions(1, 'completed', { origin: null }))
    state = reduce(state, statusChanged(2, 'in_progress', 1, { origin: null }))
    state = reduce(state, statusChanged(3, 'pending', 0, { origin: null }))
    state = reduce(state, statusChanged(4, 'in_progress', 1, { origin: null }))
    expect(ids(state)).toEqual([1, 2, 3, 4])
    expect(state.evictionCount).toBe(0)

    // Item 3 settles (the server says it is gone): it is the only candidate, and it goes.
    state = reduce(state, ...reconciled(3, 'req-3', null))
    expect(ids(state)).toEqual([1, 2, 4])
    // Item 1 settles: the bound is restored as far as settled items allow.
    state = reduce(state, ...reconciled(1, 'req-1', snapshotOf(1, 'completed')))
    expect(ids(state)).toEqual([2, 4])
  })

  it('never evicts the active item of an origin, however old', () => {
    let state = createInitialState({ maxItems: 2, reconcileOrigins: [] })
    state = reduce(state, ...runActions(1, 'completed', { origin: 'canvas' }))
    for (let itemId = 2; itemId <= 20; itemId += 1) {
      state = reduce(state, ...runActions(itemId, 'completed', { origin: 'workflows' }))
    }
    expect(selectActiveItemId({ workflowExecution: state }, 'canvas')).toBe(1)
    expect(selectActiveItemId({ workflowExecution: state }, 'workflows')).toBe(20)
    expect(ids(state)).toEqual([1, 20])
    // Once another canvas item went in_progress, item 1 is an ordinary settled item.
    state = reduce(state, ...runActions(21, 'completed', { origin: 'canvas' }))
    expect(ids(state)).toEqual([20, 21])
  })

  it('a settled item kept only as its origin’s active one goes as soon as another item of that origin runs', () => {
    let state = createInitialState({ maxItems: 1, reconcileOrigins: [] })
    state = reduce(state, ...runActions(1, 'completed', { origin: 'canvas' }))
    state = reduce(state, statusChanged(2, 'pending', 0, { origin: 'canvas' }))
    // Item 1 is canvas's active item: it may stay above the cap for now.
    expect(ids(state)).toEqual([1, 2])
    state = reduce(state, statusChanged(2, 'in_progress', 1, { origin: 'canvas' }))
    // Item 1 is settled and no longer active; only item 2 is unsettled, and maxItems is 1.
    expect(selectActiveItemId({ workflowExecution: state }, 'canvas')).toBe(2)
    expect(ids(state)).toEqual([2])
  })

  it('remembers a bounded number of evicted ids', () => {
    let state = createInitialState({ maxItems: 1, maxEvictedIds: 5, reconcileOrigins: [] })
    for (let itemId = 1; itemId <= 20; itemId += 1)
      state = reduce(state, ...runActions(itemId, 'completed', { origin: null }))
    expect(state.evictedIds).toEqual([15, 16, 17, 18, 19])
    // A remembered id is still refused.
    const after = reduce(state, completeAction(15, 'late', 'node'))
    expect(itemOf(after.items, 15)).toBeUndefined()
    expect(after.stats.evictedEventsIgnored).toBe(state.stats.evictedEventsIgnored + 1)
  })
})

describe('E1: an evicted item stays evicted', () => {
  function withEvicted(): WorkflowExecutionState {
    let state = createInitialState({ maxItems: 2, reconcileOrigins: [] })
    state = reduce(state, ...runActions(1, 'completed', { origin: null }), ...runActions(2), ...runActions(3))
    expect(itemOf(state.items, 1)).toBeUndefined()
    expect(state.evictedIds).toEqual([1])
    return state
  }

  it('E1: a trailing event for an evicted id does not resurrect it, and is counted', () => {
    const trailing = [
      completeAction(1, 'p-1', 'node'),
      statusChanged(1, 'completed', 2, { origin: null }),
      statusChanged(1, 'in_progress', 3, { origin: null }),
      startedAction(1, 'p-9', 'node'),
      progressAction(1, 'p-9', 'node', 0.5),
    ]
    let state = withEvicted()
    trailing.forEach((action, index) => {
      const before = state
      state = reduce(state, action)
      expect(state.items).toBe(before.items)
      expect(itemOf(state.items, 1)).toBeUndefined()
      expect(state.stats.evictedEventsIgnored).toBe(index + 1)
    })
    expect(selectQueueItemIds({ workflowExecution: state })).not.toContain(1)
  })

  it('R4: a reconciliation result for an evicted item is ignored (and counted under E1)', () => {
    const before = withEvicted()
    const after = reduce(before, ...reconciled(1, 'req-late', snapshotOf(1, 'completed')))
    expect(after.items).toBe(before.items)
    expect(itemOf(after.items, 1)).toBeUndefined()
    expect(after.stats.evictedEventsIgnored).toBe(2)
    const rejected = reduce(
      after,
      reconcileQueueItem.rejected(new Error('aborted'), 'req-late', { itemId: 1 }),
    )
    expect(rejected.items).toBe(before.items)
  })
})
