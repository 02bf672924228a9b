import { describe, expect, it } from 'vitest'
import { selectActiveItemId, selectQueueItemExecution, selectRecentDecisions } from '../src'
import { useEngines } from './helpers/harness'
import { complete, imageResult, progress, started, statusChanged } from './helpers/wire'

const engine = useEngines()

describe('an in_progress the client never received', () => {
  it('the next item runs while the followed view still shows the previous one: its first copy makes it in progress and current (I4, A6)', () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'completed', 2))
    // Item 2's in_progress is lost; its progress is the first the client hears of it.
    e.push('invocation_progress', progress({ itemId: 2 }, 'p', 'denoise', 0.3))
    expect(selectQueueItemExecution(e.store.getState(), 2)?.status).toBe('in_progress')
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(2)
    expect(selectRecentDecisions(e.store.getState(), 2).map((entry) => entry.rule)).toEqual(['I4', 'A6'])
  })

  it('a pending item whose copy starts is running; the in_progress that arrives later records its sequence (Q7)', () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 4 }, 'pending', 0))
    e.push('invocation_started', started({ itemId: 4 }, 'p', 'denoise'))
    expect(selectQueueItemExecution(e.store.getState(), 4)?.status).toBe('in_progress')
    e.push(
      'queue_item_status_changed',
      statusChanged({ itemId: 4 }, 'in_progress', 1, undefined, '2026-08-19 10:15:02.104'),
    )
    expect(selectQueueItemExecution(e.store.getState(), 4)).toMatchObject({
      statusSequence: 1,
      startedAt: '2026-08-19 10:15:02.104',
    })
    e.push('invocation_complete', complete({ itemId: 4 }, 'p', 'denoise', imageResult('a.png')))
    e.push('queue_item_status_changed', statusChanged({ itemId: 4 }, 'completed', 2))
    expect(
      selectRecentDecisions(e.store.getState(), 4)
        .map((entry) => entry.rule)
        .slice(0, 6),
    ).toEqual(['Q1b', 'I4', 'A2', 'Q7', 'I2b', 'Q2'])
  })

  it('a late event of an older run does not take the current run from a newer one (A6)', () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 5 }, 'in_progress', 1))
    e.push('invocation_progress', progress({ itemId: 3 }, 'p', 'denoise', 0.9))
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(5)
    expect(selectQueueItemExecution(e.store.getState(), 3)?.status).toBe('in_progress')
  })
})
