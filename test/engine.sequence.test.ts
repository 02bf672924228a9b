import { describe, expect, it } from 'vitest'
import { selectQueueItemExecution, selectRecentDecisions } from '../src'
import { useEngines } from './helpers/harness'
import { complete, imageResult, persistedItem, started, statusChanged } from './helpers/wire'

const engine = useEngines()

describe('a status_sequence that goes backwards', () => {
  it('an in_progress with sequence 2^53-1 does not pin the item: the completed(3) it calls stale asks the server (Q6b), whose persisted word wins and resets the sequence (R1)', async () => {
    const e = engine()
    const copies = [{ preparedId: 'p', sourceId: 'denoise', result: imageResult('a.png') }]
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', Number.MAX_SAFE_INTEGER))
    e.push('invocation_started', started({ itemId: 1 }, 'p', 'denoise'))
    e.push('invocation_complete', complete({ itemId: 1 }, 'p', 'denoise', imageResult('a.png')))
    e.queueItems.setItem(persistedItem({ itemId: 1 }, 'completed', 3, copies))
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'completed', 3))
    await e.settle()
    expect(selectQueueItemExecution(e.store.getState(), 1)).toMatchObject({
      status: 'completed',
      statusSequence: 3,
      settled: true,
    })
    expect(
      selectRecentDecisions(e.store.getState(), 1)
        .map((entry) => entry.rule)
        .slice(-3),
    ).toEqual(['Q6b', 'R0', 'R1'])
    expect(e.outputs()).toHaveLength(1)
  })

  it('an ordinary reconciliation still ignores a persisted answer older than the socket (R4b)', async () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 2 }, 'in_progress', 5))
    e.queueItems.setItem(persistedItem({ itemId: 2 }, 'canceled', 2, []))
    await e.store.dispatch(e.engine.reconcileQueueItem({ itemId: 2 }))
    expect(selectQueueItemExecution(e.store.getState(), 2)?.status).toBe('in_progress')
    expect(selectRecentDecisions(e.store.getState(), 2).at(-1)?.rule).toBe('R4b')
  })
})
