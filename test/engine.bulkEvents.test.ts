import { describe, expect, it } from 'vitest'
import { selectQueueItemExecution, selectRecentDecisions } from '../src'
import { useEngines } from './helpers/harness'
import { statusChanged } from './helpers/wire'

const engine = useEngines()

const lastRule = (e: ReturnType<typeof engine>, itemId: number) =>
  selectRecentDecisions(e.store.getState(), itemId).at(-1)?.rule

describe('bulk events apply to their own queue only', () => {
  it("a queue_cleared for another queue leaves the default queue's items running (C3)", () => {
    const e = engine({ reconcileOrigins: [] })
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1))
    e.push('queue_cleared', { timestamp: 1, queue_id: 'night', user_id: null })
    expect(selectQueueItemExecution(e.store.getState(), 1)?.status).toBe('in_progress')
    expect(lastRule(e, 1)).toBe('C3')
    e.push('queue_cleared', { timestamp: 2, queue_id: 'default', user_id: null })
    expect(selectQueueItemExecution(e.store.getState(), 1)).toMatchObject({
      status: 'canceled',
      settled: true,
    })
  })

  it('a queue_items_canceled for another queue cancels nothing, even for an id this queue tracks (C3)', () => {
    const e = engine({ reconcileOrigins: [] })
    e.push('queue_item_status_changed', statusChanged({ itemId: 7 }, 'in_progress', 1))
    e.push('queue_items_canceled', { timestamp: 1, queue_id: 'night', canceled_item_ids: [7] })
    expect(selectQueueItemExecution(e.store.getState(), 7)?.status).toBe('in_progress')
    expect(lastRule(e, 7)).toBe('C3')
  })

  it("a queue cleared of another user's items leaves this user's running (C2), an item without a user goes with the current user's", () => {
    const e = engine({ reconcileOrigins: [], currentUserId: 'alice' })
    e.push('queue_item_status_changed', statusChanged({ itemId: 1, userId: 'alice' }, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged({ itemId: 2, userId: 'bob' }, 'pending', 0))
    e.push('queue_item_status_changed', statusChanged({ itemId: 3, userId: null }, 'pending', 0))
    e.push('queue_cleared', { timestamp: 1, queue_id: 'default', user_id: 'bob' })
    expect(selectQueueItemExecution(e.store.getState(), 1)?.status).toBe('in_progress')
    expect(lastRule(e, 1)).toBe('C2')
    expect(selectQueueItemExecution(e.store.getState(), 2)?.status).toBe('canceled')
    expect(selectQueueItemExecution(e.store.getState(), 3)?.status).toBe('pending')
    e.push('queue_cleared', { timestamp: 2, queue_id: 'default', user_id: 'alice' })
    expect(selectQueueItemExecution(e.store.getState(), 3)?.status).toBe('canceled')
  })
})
