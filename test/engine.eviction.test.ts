import { describe, expect, it } from 'vitest'
import type { Engine } from './helpers/engine'
import { useEngines } from './helpers/harness'
import { persistedItem, statusChanged } from './helpers/wire'
import { itemOf } from '../src/features/workflowExecution'

const engine = useEngines()

async function runItems(e: Engine, from: number, count: number) {
  for (let id = from; id < from + count; id += 1) {
    e.queueItems.setItem(persistedItem({ itemId: id }, 'completed', 2, []))
    e.push('queue_item_status_changed', statusChanged({ itemId: id }, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged({ itemId: id }, 'completed', 2))
    e.queueItems.removeItem(id - 500)
  }
  await e.settle(30_000)
}

describe('a long session stays bounded', () => {
  it('10,000 items through a store with maxItems 100: at most 100 tracked, evicted requests aborted, state size flat', async () => {
    const e = engine({ maxItems: 100, devChecks: false })
    const sizes: number[] = []
    let maxTracked = 0
    const unsubscribe = e.store.subscribe(() => {
      maxTracked = Math.max(maxTracked, e.state().items.ids.length)
    })

    // An old, settled item whose explicit re-check hangs: eviction must abort it.
    e.queueItems.setItem(persistedItem({ itemId: 1 }, 'completed', 2, []))
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'completed', 2))
    await e.settle()
    e.queueItems.script(1, { kind: 'hang' })
    void e.store.dispatch(e.engine.reconcileQueueItem({ itemId: 1 }))
    expect(e.engine.inFlightCount()).toBe(1)

    for (let batch = 0; batch < 100; batch += 1) {
      // Each batch: 100 items run, stop and are reconciled, like a queue draining.
      await runItems(e, 2 + batch * 100, 100)
      if (batch === 49 || batch === 99) sizes.push(JSON.stringify(e.store.getState()).length)
    }
    unsubscribe()

    const state = e.state()
    // Unsettled items may exceed the cap only while they wait for their answer: here at most one batch.
    expect(maxTracked).toBeLessThanOrEqual(200)
    expect(state.items.ids.length).toBeLessThanOrEqual(100)
    expect(state.evictionCount).toBeGreaterThanOrEqual(9_900)
    expect(state.evictedIds.length).toBe(state.config.maxEvictedIds)
    expect(itemOf(state.items, 1)).toBeUndefined()
    const aborted = e.actions
      .filter(e.engine.reconcileQueueItem.rejected.match)
      .filter((action) => action.meta.arg.itemId === 1)
    expect(aborted.map((action) => action.meta.aborted)).toEqual([true])
    expect(e.engine.inFlightCount()).toBe(0)
    // Twice the items, the same state size: nothing grows with the item count.
    const [atHalf, atEnd] = sizes as [number, number]
    expect(Math.abs(atEnd - atHalf) / atHalf).toBeLessThan(0.05)
  }, 120_000)
})
