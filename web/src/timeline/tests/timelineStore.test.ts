import { afterEach, describe, expect, it } from 'vitest'
import { doubled, engineOnMockSocket, fanoutRun, progress, type WireEvent } from '../../naive/tests/wire'
import {
  createTimelineState,
  recordAction,
  type RecordedAction,
  type TimelineLimits,
  type TimelineState,
} from '../timeline'
import { createTimelineStore } from '../timelineStore'

const closers: (() => void)[] = []
afterEach(() => closers.splice(0).forEach((close) => close()))

/** The store and the pure reference fed the same actions, with the same clock. */
function both(limits?: TimelineLimits) {
  const engine = engineOnMockSocket()
  const store = createTimelineStore(limits)
  const pure = { state: createTimelineState(limits) }
  const clock = { t: 0 }
  const detach = engine.store.startListening({
    predicate: () => true,
    effect: (action, api) => {
      const recorded: RecordedAction = {
        action,
        before: api.getOriginalState(),
        after: api.getState(),
        t: (clock.t += 10),
      }
      store.record(recorded)
      pure.state = recordAction(pure.state, recorded)
    },
  })
  closers.push(engine.close, detach)
  return { engine, store, pure }
}

const renamed = (events: WireEvent[]) =>
  events.map(([e, p]): WireEvent => [e, { ...p, invocation_source_id: p.invocation_source_id && 'other' }])

describe('the timeline store', () => {
  it('records what the pure reference records, within every bound', () => {
    const limits = { maxItems: 2, maxMarks: 5, maxNodes: 1, maxLinkMarks: 2 }
    const { engine, store, pure } = both(limits)
    engine.push([...[1, 2, 3].flatMap(fanoutRun), ...renamed(fanoutRun(4))])
    for (let i = 0; i < 5; i += 1) engine.socket.reconnect()
    const state = store.get()
    expect(state).toEqual(pure.state)
    expect(state.order).toEqual([3, 4])
    expect(state.link).toHaveLength(2)
  })

  it('records what the pure reference records with the default limits', () => {
    const { engine, store, pure } = both()
    engine.push([...doubled(fanoutRun(1)), progress(1, '1-a', 'decode', 0.9), ...fanoutRun(2)])
    expect(store.get()).toEqual(pure.state)
    expect(store.get().items[1]?.marks.length).toBeGreaterThan(0)
  })

  it('builds a snapshot only after a change, and tells listeners only of changes', () => {
    const { engine, store } = both()
    const heard = { count: 0 }
    store.subscribe(() => (heard.count += 1))
    const empty = store.get()
    engine.socket.serverPush('batch_enqueued', {
      queue_id: 'default',
      batch_id: 'b',
      enqueued: 1,
      requested: 1,
      priority: 0,
      origin: null,
      user_id: 'system',
      timestamp: 1,
    })
    expect(heard.count).toBe(0)
    expect(store.get()).toBe(empty)
    engine.push(fanoutRun(1))
    expect(heard.count).toBeGreaterThan(0)
    const first = store.get()
    expect(store.get()).toBe(first)
    expect(first.items[1]).toBeDefined()
  })

  it('is set as an observable and records on from there', () => {
    const { engine, store, pure } = both()
    engine.push(fanoutRun(1))
    const cleared: TimelineState = createTimelineState()
    store.set(cleared)
    expect(store.get()).toBe(cleared)
    pure.state = cleared
    engine.push(fanoutRun(2))
    expect(store.get()).toEqual(pure.state)
    expect(Object.keys(store.get().items).map(Number)).toEqual([2])
  })
})
