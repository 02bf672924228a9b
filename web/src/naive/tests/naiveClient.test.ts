import { describe, expect, it } from 'vitest'
import { createMockSocket } from '../../../../src/testing'
import { attachNaiveClient } from '../attachNaiveClient'
import { createNaiveState, naiveReducer, type NaiveState } from '../naiveClient'
import { complete, doubled, fanoutRun, progress, started, status, type WireEvent } from './wire'

const limits = { maxItems: 3, maxImages: 4 }
const fold = (events: WireEvent[], state: NaiveState = createNaiveState(limits)) =>
  events.reduce((current, [event, payload]) => naiveReducer(current, { event, payload }), state)

describe('the naive client', () => {
  it('trusts every event in arrival order', () => {
    const state = fold(fanoutRun(1))
    expect(state.items[1]).toEqual({
      itemId: 1,
      status: 'completed',
      nodes: { decode: { status: 'COMPLETED', progress: null } },
    })
    expect(state.gallery.map((image) => image.imageName)).toEqual(['1-b.png', '1-a.png'])
    expect(state.currentItemId).toBe(1)
  })

  it('shows a doubled image twice and lets a late progress put a finished node back in progress', () => {
    expect(fold(doubled(fanoutRun(1))).gallery).toHaveLength(4)
    const late = fold([...fanoutRun(1), progress(1, '1-b', 'decode', 0.9)])
    expect(late.items[1]?.nodes.decode).toEqual({ status: 'IN_PROGRESS', progress: 0.9 })
    // A terminal status is not absorbing either.
    expect(fold([...fanoutRun(1), status(1, 'in_progress', 1)]).items[1]?.status).toBe('in_progress')
  })

  it('takes the item of the latest event as the current run, old or not', () => {
    const state = fold([...fanoutRun(1), ...fanoutRun(2), started(1, '1-a', 'decode')])
    expect(state.currentItemId).toBe(1)
  })

  it('keeps at most maxItems items (oldest first seen goes) and maxImages images', () => {
    const state = fold([1, 2, 3, 4, 5].flatMap(fanoutRun))
    expect(state.order).toEqual([3, 4, 5])
    expect(Object.keys(state.items).map(Number)).toEqual([3, 4, 5])
    expect(state.gallery.map((image) => image.imageName)).toEqual([
      '5-b.png',
      '5-a.png',
      '4-b.png',
      '4-a.png',
    ])
  })

  it('does not crash on payloads of the wrong shape, and ignores what it does not read', () => {
    const initial = createNaiveState(limits)
    for (const payload of [null, 7, 'x', [], {}, { item_id: '1' }, { item_id: 1.5 }, { item_id: 1 }]) {
      expect(naiveReducer(initial, { event: 'invocation_complete', payload })).toBe(initial)
    }
    expect(
      naiveReducer(initial, { event: 'queue_item_status_changed', payload: { item_id: 1, status: 'odd' } }),
    ).toBe(initial)
    expect(naiveReducer(initial, { event: 'batch_enqueued', payload: { item_id: 1 } })).toBe(initial)
    const noImage = fold([complete(1, 'p', 'n', '')])
    expect(noImage.gallery).toEqual([])
    expect(noImage.items[1]?.nodes.n?.status).toBe('COMPLETED')
  })

  it('listens on the socket for every InvokeAI event and detaches', () => {
    const socket = createMockSocket({ connected: true })
    const client = attachNaiveClient(socket, limits)
    expect(socket.listenerCount('invocation_complete')).toBe(1)
    expect(socket.listenerCount('queue_items_retried')).toBe(1)
    for (const [event, payload] of fanoutRun(9)) socket.serverPush(event, payload)
    expect(client.state.get().items[9]?.status).toBe('completed')
    client.detach()
    expect(socket.listenerCount('invocation_complete')).toBe(0)
  })
})
