import { describe, expect, it } from 'vitest'
import { createInitialState } from '../state'
import { reduce, runActions, statusChanged } from './helpers'

/*
 * BUG (not committed): DESIGN.md "Eviction": the cap "may be exceeded only while more than maxItems items
 * are unsettled". An item that was kept only because it was its origin's active item stays above the cap
 * after another item of that origin goes in_progress: the cap is enforced when an item is added or
 * settles, not when the active index moves.
 */
describe('eviction when an origin’s active item is superseded', () => {
  it('a settled item that stops being its origin’s active one is evicted at once when over the cap', () => {
    let state = createInitialState({ maxItems: 1, reconcileOrigins: [] })
    state = reduce(state, ...runActions(1, 'completed', { origin: 'canvas' }))
    state = reduce(state, statusChanged(2, 'pending', 0, { origin: 'canvas' }))
    // Item 1 is canvas's active item: it may stay for now.
    expect(state.items.ids).toEqual([1, 2])

    state = reduce(state, statusChanged(2, 'in_progress', 1, { origin: 'canvas' }))
    // Item 1 is settled and no longer active; only one item (2) is unsettled, and maxItems is 1.
    expect(state.activeItemIdByOrigin.canvas).toBe(2)
    expect(state.items.ids).toEqual([2])
  })
})
