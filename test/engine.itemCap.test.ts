import { describe, expect, it } from 'vitest'
import { selectActiveItemId, selectQueueItemIds } from '../src'
import { useEngines } from './helpers/harness'
import { statusChanged } from './helpers/wire'

const engine = useEngines()

describe('items that never end', () => {
  it('a server that starts 2,000 items and ends none: at most 2 × maxItems are held, the current run stays, each eviction counted and its request aborted', async () => {
    const e = engine({ maxItems: 10 })
    // Item 1 is reconciled slowly: its request is in flight when it is evicted.
    e.queueItems.setDelay(1, 10_000)
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'canceled', 1))
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(e.engine.inFlightCount()).toBe(1)
    let largest = 0
    for (let itemId = 2; itemId <= 2_000; itemId += 1) {
      e.push('queue_item_status_changed', statusChanged({ itemId, origin: 'canvas' }, 'pending', 0))
      largest = Math.max(largest, selectQueueItemIds(e.store.getState()).length)
    }
    e.push('queue_item_status_changed', statusChanged({ itemId: 2_001 }, 'in_progress', 1))
    for (let itemId = 2_002; itemId <= 2_050; itemId += 1)
      e.push('queue_item_status_changed', statusChanged({ itemId, origin: 'canvas' }, 'pending', 0))
    expect(largest).toBe(20)
    const held = selectQueueItemIds(e.store.getState())
    expect(held.length).toBeLessThanOrEqual(20)
    expect(held).toContain(2_001)
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(2_001)
    expect(e.state().stats.unsettledEvicted).toBeGreaterThanOrEqual(2_000 - 20)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(e.engine.inFlightCount()).toBe(0)
    expect(e.queueItems.requestsFor(1)[0]?.aborted).toBe(true)
  })
})
