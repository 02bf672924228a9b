import { describe, expect, it } from 'vitest'
import {
  currentUserChanged,
  selectActiveItemId,
  selectQueueItemExecution,
  selectQueueItemIds,
  selectRecentDecisions,
} from '../src'
import { useEngines } from './helpers/harness'
import { started, statusChanged } from './helpers/wire'

const engine = useEngines()

const rules = (e: ReturnType<typeof engine>, itemId: number) =>
  selectRecentDecisions(e.store.getState(), itemId).map((entry) => entry.rule)

describe('several users on one server', () => {
  it("on an admin client, another user's in_progress is tracked but never becomes the admin's current run (A1)", () => {
    const e = engine({ currentUserId: 'admin' })
    e.push('queue_item_status_changed', statusChanged({ itemId: 1, userId: 'admin' }, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged({ itemId: 2, userId: 'bob' }, 'in_progress', 1))
    e.push('invocation_started', started({ itemId: 2, userId: 'bob' }, 'p', 'denoise'))
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(1)
    expect(selectQueueItemExecution(e.store.getState(), 2)?.status).toBe('in_progress')
    expect(rules(e, 2)).toContain('A1')
  })

  it('items without a user_id (an older server) can still become the current run', () => {
    const e = engine({ currentUserId: 'alice' })
    e.push('queue_item_status_changed', statusChanged({ itemId: 1, userId: 'alice' }, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged({ itemId: 2, userId: null }, 'in_progress', 1))
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(2)
    expect(rules(e, 2)).toEqual(['Q1b', 'A4'])
  })

  it("a user who logs in at runtime stops following another user's run; a switch with reset starts empty", () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 1, userId: 'bob' }, 'in_progress', 1))
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(1)

    e.store.dispatch(currentUserChanged({ userId: 'alice' }))
    expect(e.state().config.currentUserId).toBe('alice')
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBeUndefined()
    expect(selectQueueItemIds(e.store.getState())).toEqual([1])
    e.push('queue_item_status_changed', statusChanged({ itemId: 2, userId: 'bob' }, 'in_progress', 1))
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBeUndefined()
    e.push('queue_item_status_changed', statusChanged({ itemId: 3, userId: 'alice' }, 'in_progress', 1))
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(3)

    e.store.dispatch(currentUserChanged({ userId: 'carol', reset: true }))
    expect(selectQueueItemIds(e.store.getState())).toEqual([])
    expect(e.state()).toMatchObject({ connected: true, config: { currentUserId: 'carol' } })
  })

  it('a hand-dispatched user change with a bad id is ignored', () => {
    const e = engine({ currentUserId: 'alice' })
    const before = e.state()
    e.store.dispatch(currentUserChanged({ userId: 42 as unknown as string }))
    expect(e.state()).toBe(before)
  })
})
