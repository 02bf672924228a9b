import { describe, expect, it } from 'vitest'
import { selectNodeIds, selectQueueItemExecution, selectRecentDecisions } from '../src'
import { useEngines } from './helpers/harness'
import { complete, imageResult, persistedItem, started, statusChanged } from './helpers/wire'

const engine = useEngines()

const oldRun = (itemId: number) => ({ itemId, sessionId: `old-${itemId}` })
const newRun = (itemId: number) => ({
  itemId,
  sessionId: `new-${itemId}`,
  origin: 'canvas',
  destination: 'canvas',
})

describe('a server whose database was wiped reuses item ids', () => {
  it('an unsettled old item 2 is replaced by the new run 2 (N2): no old node stays, no old output is announced as the new run, its request is aborted', async () => {
    const e = engine()
    e.queueItems.setDelay(2, 10_000)
    e.push('queue_item_status_changed', statusChanged(oldRun(2), 'in_progress', 1))
    e.push('invocation_started', started(oldRun(2), 'old-p', 'old-node'))
    e.push('queue_item_status_changed', statusChanged(oldRun(2), 'canceled', 2))
    await new Promise((resolve) => setTimeout(resolve, 60))
    expect(e.engine.inFlightCount()).toBe(1)

    // The server restarted empty: its item 2 is another user's canvas run.
    e.push('queue_item_status_changed', statusChanged(newRun(2), 'in_progress', 1))
    e.push('invocation_started', started(newRun(2), 'new-p', 'new-node'))
    e.push('invocation_complete', complete(newRun(2), 'new-p', 'new-node', imageResult('new.png')))
    const item = selectQueueItemExecution(e.store.getState(), 2)
    expect(item).toMatchObject({ sessionId: 'new-2', origin: 'canvas', status: 'in_progress' })
    expect(selectNodeIds(e.store.getState(), 2)).toEqual(['new-node'])
    expect(selectRecentDecisions(e.store.getState(), 2).map((entry) => entry.rule)).toContain('N2')
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(e.engine.inFlightCount()).toBe(0)
    expect(e.queueItems.requestsFor(2)[0]?.aborted).toBe(true)
    expect(e.outputs().map((output) => [output.preparedId, output.origin])).toEqual([['new-p', 'canvas']])
  })

  it('a new run 1 over a settled item 1 is applied whole: its started and status events are not ignored as late (T1, Q5)', () => {
    const e = engine({ reconcileOrigins: [] })
    e.push('queue_item_status_changed', statusChanged(oldRun(1), 'in_progress', 1))
    e.push('invocation_complete', complete(oldRun(1), 'a', 'old-a', imageResult('a.png')))
    e.push('queue_item_status_changed', statusChanged(oldRun(1), 'completed', 2))
    expect(selectQueueItemExecution(e.store.getState(), 1)?.settled).toBe(true)

    e.push('queue_item_status_changed', statusChanged({ itemId: 1, sessionId: 'new-1' }, 'in_progress', 1))
    e.push('invocation_started', started({ itemId: 1, sessionId: 'new-1' }, 'b', 'new-b'))
    expect(selectQueueItemExecution(e.store.getState(), 1)).toMatchObject({
      status: 'in_progress',
      sessionId: 'new-1',
      settled: false,
    })
    expect(selectNodeIds(e.store.getState(), 1)).toEqual(['new-b'])
  })

  it('an evicted id comes back when its session differs from the one remembered with it; the same session stays ignored (E1)', () => {
    const e = engine({ reconcileOrigins: [], maxItems: 1 })
    e.push('queue_item_status_changed', statusChanged(oldRun(1), 'completed', 2))
    e.push('queue_item_status_changed', statusChanged(oldRun(2), 'completed', 2))
    expect(selectQueueItemExecution(e.store.getState(), 1)).toBeUndefined()
    expect(e.state().evictedIds).toEqual([1])

    e.push('invocation_started', started(oldRun(1), 'late', 'n'))
    expect(selectQueueItemExecution(e.store.getState(), 1)).toBeUndefined()
    expect(e.state().stats.evictedEventsIgnored).toBe(1)

    e.push('queue_item_status_changed', statusChanged({ itemId: 1, sessionId: 'new-1' }, 'in_progress', 1))
    expect(selectQueueItemExecution(e.store.getState(), 1)).toMatchObject({
      sessionId: 'new-1',
      status: 'in_progress',
    })
    expect(e.state().evictedIds).not.toContain(1)
  })

  it('a reconciliation answered with another session rebuilds the item from that run alone (R6)', async () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged(oldRun(3), 'in_progress', 1))
    e.push('invocation_started', started(oldRun(3), 'old-p', 'old-node'))
    e.queueItems.setItem(
      persistedItem(newRun(3), 'completed', 2, [
        { preparedId: 'new-p', sourceId: 'new-node', result: imageResult('n.png') },
      ]),
    )
    await e.store.dispatch(e.engine.reconcileQueueItem({ itemId: 3 }))
    expect(selectQueueItemExecution(e.store.getState(), 3)).toMatchObject({
      sessionId: 'new-3',
      origin: 'canvas',
      status: 'completed',
      settled: true,
    })
    expect(selectNodeIds(e.store.getState(), 3)).toEqual(['new-node'])
    expect(
      selectRecentDecisions(e.store.getState(), 3)
        .map((entry) => entry.rule)
        .slice(-2),
    ).toEqual(['R6', 'R1'])
    expect(e.outputs().map((output) => output.preparedId)).toEqual(['new-p'])
  })

  it('events without a session id, or with a redacted one, never replace an item', () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged(oldRun(4), 'in_progress', 1))
    e.push('invocation_started', { ...started(oldRun(4), 'p', 'n'), session_id: null })
    e.push('queue_item_status_changed', {
      ...statusChanged(oldRun(4), 'completed', 2),
      session_id: 'redacted',
    })
    expect(selectQueueItemExecution(e.store.getState(), 4)).toMatchObject({
      sessionId: 'old-4',
      status: 'completed',
    })
    expect(selectRecentDecisions(e.store.getState(), 4).map((entry) => entry.rule)).not.toContain('N2')
  })
})
