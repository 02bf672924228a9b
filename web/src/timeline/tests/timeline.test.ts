import { afterEach, describe, expect, it, vi } from 'vitest'
import { selectQueueItemExecution } from '../../../../src'
import { doubled, engineOnMockSocket, fanoutRun, progress, type WireEvent } from '../../naive/tests/wire'
import { attachTimeline } from '../attachTimeline'
import { spanDuration, type DecisionMark, type TimelineLimits } from '../timeline'

const closers: (() => void)[] = []
afterEach(() => closers.splice(0).forEach((close) => close()))

/** The engine on a mock socket with a timeline whose clock ticks 10 ms per action. */
function recorded(limits?: TimelineLimits, options?: Parameters<typeof engineOnMockSocket>[0]) {
  const engine = engineOnMockSocket(options)
  const clock = { t: 0 }
  const timeline = attachTimeline(engine.store, { limits, now: () => (clock.t += 10) })
  closers.push(engine.close, timeline.detach)
  return { engine, timeline }
}

const decisionsOf = (marks: readonly { kind: string }[]) =>
  marks.filter((mark): mark is DecisionMark => mark.kind === 'decision')

describe('the timeline', () => {
  it('records each event with the rule that decided it, and node spans', () => {
    const { engine, timeline } = recorded()
    engine.push(fanoutRun(1))
    const item = timeline.state.get().items[1]
    const decisions = decisionsOf(item?.marks ?? [])
    expect(decisions.length).toBeGreaterThanOrEqual(fanoutRun(1).length)
    expect(decisions.every((mark) => mark.applied)).toBe(true)
    expect(decisions.find((mark) => mark.event === 'started')).toMatchObject({
      nodeId: 'decode',
      action: 'invocationStarted',
    })
    const span = item?.nodes.decode
    expect(span?.status).toBe('COMPLETED')
    // First started → the last copy's complete, not the first's.
    const first = decisions.find((mark) => mark.event === 'started')
    const last = decisions.filter((mark) => mark.event === 'complete').at(-1)
    expect(decisions.filter((mark) => mark.event === 'complete')).toHaveLength(2)
    expect(span && spanDuration(span)).toBe((last?.t ?? 0) - (first?.t ?? 0))
  })

  it('records each decision once, named after the action that made it, when listeners dispatch inside', async () => {
    const { engine, timeline } = recorded(undefined, {
      reconcileOrigins: null,
      fetchQueueItem: async () => null,
    })
    engine.push(fanoutRun(1))
    await vi.waitFor(() => expect(engine.store.getState().workflowExecution.items.ids).toContain(1))
    await vi.waitFor(() =>
      expect(timeline.state.get().items[1]?.phase).toMatchObject({ phase: 'done', snapshotStatus: 'gone' }),
    )
    const total = selectQueueItemExecution(engine.store.getState(), 1)?.decisions.total
    const decisions = decisionsOf(timeline.state.get().items[1]?.marks ?? [])
    expect(decisions).toHaveLength(total ?? -1)
    const byEvent = (event: string) => decisions.filter((mark) => mark.event === event)
    expect(byEvent('complete').map((mark) => [mark.action, mark.nodeId])).toEqual([
      ['invocationComplete', 'decode'],
      ['invocationComplete', 'decode'],
    ])
    expect(byEvent('status:completed').map((mark) => mark.action)).toEqual(['queueItemStatusChanged'])
    expect(byEvent('reconcile_requested').map((mark) => mark.action)).toEqual(['pending'])
  })

  it('marks what the engine ignored: 6.13 doubles and a late progress', () => {
    const { engine, timeline } = recorded()
    engine.push([...doubled(fanoutRun(1)), progress(1, '1-a', 'decode', 0.9)])
    const ignored = decisionsOf(timeline.state.get().items[1]?.marks ?? []).filter((mark) => !mark.applied)
    expect(ignored.length).toBeGreaterThan(0)
    expect(new Set(ignored.map((mark) => mark.rule)).size).toBeGreaterThan(0)
    expect(ignored.at(-1)?.event).toBe('progress')
  })

  it('records the reconciliation and what the server answered', async () => {
    // Every origin reconciled; the server no longer has the item (404).
    const { engine, timeline } = recorded(undefined, {
      reconcileOrigins: null,
      fetchQueueItem: async () => null,
    })
    engine.push(fanoutRun(1))
    await vi.waitFor(() => expect(engine.store.getState().workflowExecution.items.ids).toContain(1))
    await vi.waitFor(() => {
      const phases = (timeline.state.get().items[1]?.marks ?? []).filter(
        (mark) => mark.kind === 'reconciliation',
      )
      expect(phases.map((mark) => [mark.phase, mark.snapshotStatus])).toEqual([
        ['pending', null],
        ['done', 'gone'],
      ])
    })
  })

  it('records connects and disconnects', () => {
    const { engine, timeline } = recorded()
    engine.socket.disconnect('transport close')
    engine.socket.connect()
    expect(timeline.state.get().link.map(({ connected, reason }) => [connected, reason])).toEqual([
      [false, 'transport close'],
      [true, null],
    ])
  })

  it('keeps bounded marks, nodes, items and link marks', () => {
    const limits = { maxItems: 2, maxMarks: 5, maxNodes: 1, maxLinkMarks: 2 }
    const { engine, timeline } = recorded(limits)
    const many: WireEvent[] = [1, 2, 3].flatMap(fanoutRun)
    engine.push([
      ...many,
      ...fanoutRun(4).map(([e, p]): WireEvent => [
        e,
        { ...p, invocation_source_id: p.invocation_source_id && 'other' },
      ]),
    ])
    for (let i = 0; i < 3; i += 1) engine.socket.reconnect()
    const state = timeline.state.get()
    expect(state.order).toEqual([3, 4])
    expect(Object.keys(state.items).map(Number)).toEqual([3, 4])
    expect(state.items[3]?.marks).toHaveLength(5)
    expect(state.items[3]?.dropped).toBeGreaterThan(0)
    expect(state.items[4]?.nodeOrder.length).toBeLessThanOrEqual(1)
    expect(state.link).toHaveLength(2)
  })

  it('changes nothing for actions that leave the items alone', () => {
    const { engine, timeline } = recorded()
    const before = timeline.state.get()
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
    expect(timeline.state.get()).toBe(before)
  })
})
