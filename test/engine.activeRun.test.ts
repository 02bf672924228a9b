import { describe, expect, it } from 'vitest'
import {
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectQueueItemExecution,
  selectRecentDecisions,
} from '../src'
import { useEngines } from './helpers/harness'
import { persistedItem, progress, started, statusChanged } from './helpers/wire'

const engine = useEngines()

const early = '2026-08-19 10:15:02.104'
const late = '2026-08-19 10:15:09.530'

describe('the current run of an origin', () => {
  it('a late in_progress of an older run does not take the editor back from the newer one', () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 2 }, 'in_progress', 1, undefined, late))
    e.push('invocation_started', started({ itemId: 2 }, 'p2', 'denoise'))
    e.push('invocation_progress', progress({ itemId: 2 }, 'p2', 'denoise', 0.25))
    // Item 1 started first on the server; its in_progress only now reaches the client.
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1, undefined, early))

    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(2)
    expect(selectActiveNodeExecutionState(e.store.getState(), 'workflows', 'denoise')?.progress).toBe(0.25)
  })

  it('a run whose in_progress was lost becomes current with its first invocation event (I4), and the server confirms it started last', async () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1, undefined, early))
    e.push('invocation_started', started({ itemId: 2 }, 'p2', 'denoise'))
    expect(selectQueueItemExecution(e.store.getState(), 2)?.status).toBe('in_progress')
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(2)
    expect(selectRecentDecisions(e.store.getState(), 2).map((entry) => entry.rule)).toEqual(['I4', 'A6'])

    e.queueItems.setItem({ ...persistedItem({ itemId: 2 }, 'in_progress', 1, []), started_at: late })
    e.socket.reconnect()
    await e.settle()
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(2)
  })

  it('a late in_progress of an older run, over a current run of unknown start, gives way to a third run known to have started last', () => {
    const e = engine()
    const middle = '2026-08-19 10:15:05.000'
    // Item 3 runs on a copy's word alone (I4): its start time is unknown.
    e.push('invocation_started', started({ itemId: 3 }, 'p3', 'denoise'))
    // Item 4 says it started last, but against a current run of unknown start that proves nothing (A5).
    e.push('queue_item_status_changed', statusChanged({ itemId: 4 }, 'failed', 1, undefined, late))
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(3)
    // Item 1's late in_progress takes over from item 3 by arrival order (A4), yet item 4 started after it.
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1, undefined, middle))

    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(4)
    expect(selectRecentDecisions(e.store.getState(), 1).map((entry) => entry.rule)).toContain('A3')
  })

  it('a canvas run never moves the workflow editor', () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1, undefined, early))
    e.push(
      'queue_item_status_changed',
      statusChanged({ itemId: 2, origin: 'canvas' }, 'in_progress', 1, undefined, late),
    )
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(1)
    expect(selectActiveItemId(e.store.getState(), 'canvas')).toBe(2)
  })
})
