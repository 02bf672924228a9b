import { describe, expect, it } from 'vitest'
import { createNaiveState, naiveReducer, type NaiveState } from '../naiveClient'
import { createNaiveStore } from '../naiveStore'
import { doubled, fanoutRun, progress, started, status, type WireEvent } from './wire'

const limits = { maxItems: 3, maxImages: 4 }
const fold = (events: WireEvent[]) =>
  events.reduce(
    (current, [event, payload]) => naiveReducer(current, { event, payload }),
    createNaiveState(limits),
  )
const stored = (events: WireEvent[]) => {
  const store = createNaiveStore(limits)
  for (const [event, payload] of events) store.apply({ event, payload })
  return store
}

describe('the naive store', () => {
  it('holds what the pure reducer holds, item for item, after any sequence', () => {
    const sequences: WireEvent[][] = [
      fanoutRun(1),
      doubled([1, 2, 3, 4, 5].flatMap(fanoutRun)),
      [...fanoutRun(1), ...fanoutRun(2), started(1, '1-a', 'decode'), progress(2, '2-a', 'decode', 0.5)],
      // Far past both bounds: the gallery ring is trimmed several times.
      Array.from({ length: 40 }, (_, i) => fanoutRun(i + 1)).flat(),
      [status(7, 'odd', 1), ['batch_enqueued', { item_id: 7 }], status(7, 'pending', 2)],
    ]
    for (const events of sequences) {
      const expected = fold(events)
      const state = stored(events).get()
      expect(state).toEqual(expected)
      expect(Object.keys(state.items).map(Number)).toEqual(Object.keys(expected.items).map(Number))
    }
  })

  it('keeps items in first-seen order when a held item changes', () => {
    const state = stored([status(1, 'pending', 1), status(2, 'pending', 2), status(1, 'completed', 3)]).get()
    expect(state.order).toEqual([1, 2])
    expect(state.items[1]?.status).toBe('completed')
  })

  it('builds a snapshot only after a change, and tells listeners of every change', () => {
    const store = createNaiveStore(limits)
    const heard = { count: 0 }
    const unsubscribe = store.subscribe(() => (heard.count += 1))
    const empty = store.get()
    store.apply({ event: 'batch_enqueued', payload: { item_id: 1 } })
    expect(store.get()).toBe(empty)
    expect(heard.count).toBe(0)
    for (const [event, payload] of fanoutRun(1)) store.apply({ event, payload })
    const first = store.get()
    expect(store.get()).toBe(first)
    expect(heard.count).toBe(fanoutRun(1).length)
    unsubscribe()
    store.apply({ event: status(1, 'failed', 9)[0], payload: status(1, 'failed', 9)[1] })
    expect(heard.count).toBe(fanoutRun(1).length)
    expect(store.get()).not.toBe(first)
    expect(first.items[1]?.status).toBe('completed')
  })

  it('is set and updated as an observable, and goes on from the state it was set to', () => {
    const store = stored(fanoutRun(1))
    const reset: NaiveState = createNaiveState(limits)
    store.set(reset)
    expect(store.get()).toBe(reset)
    const later = fold(fanoutRun(2))
    store.update(() => later)
    expect(store.get()).toBe(later)
    for (const [event, payload] of fanoutRun(3)) store.apply({ event, payload })
    expect(store.get()).toEqual(fold([...fanoutRun(2), ...fanoutRun(3)]))
  })
})
