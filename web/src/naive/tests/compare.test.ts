import { afterEach, describe, expect, it } from 'vitest'
import { attachNaiveClient } from '../attachNaiveClient'
import { compareNaiveWithEngine, type Comparison } from '../compare'
import { createNaiveState } from '../naiveClient'
import { doubled, engineOnMockSocket, fanoutRun, progress, type WireEvent } from './wire'

/*
 * The naive client and the engine on one mock socket, fed the same events, as on the live page.
 */

const closers: (() => void)[] = []
afterEach(() => closers.splice(0).forEach((close) => close()))

function run(events: WireEvent[], activeItemId?: number): Comparison {
  const engine = engineOnMockSocket()
  const naive = attachNaiveClient(engine.socket, { maxItems: 100, maxImages: 200 })
  closers.push(engine.close, naive.detach)
  engine.push(events)
  return compareNaiveWithEngine({
    naive: naive.state.get(),
    engine: engine.store.getState(),
    engineGallery: engine.gallery,
    engineActiveItemId:
      activeItemId ?? engine.store.getState().workflowExecution.activeItemIdByOrigin.workflows,
  })
}

describe('the naive client against the engine', () => {
  it('finds no difference in order once items settle', () => {
    const comparison = run([...fanoutRun(1), ...fanoutRun(2)])
    expect(comparison.differences).toEqual([])
    expect(comparison.total).toBe(0)
    expect(comparison.compared).toBe(2)
    expect(comparison.naive).toEqual({ images: 4, nodesInProgress: 0, currentItemId: 2 })
    expect(comparison.engine).toEqual({ images: 4, nodesInProgress: 0, currentItemId: 2 })
  })

  it('counts every image 6.13 showed twice', () => {
    const comparison = run(doubled(fanoutRun(1)))
    expect(comparison.totals.image_duplicate).toBe(2)
    expect(comparison.total).toBe(2)
    expect(comparison.differences.map((d) => [d.kind, d.itemId])).toEqual([
      ['image_duplicate', 1],
      ['image_duplicate', 1],
    ])
  })

  it('finds a node stuck in progress, a status flipped back and a missing image', () => {
    const events = fanoutRun(1)
    // Copy b's complete is dropped, then copy a's progress comes late.
    const dropped = events.filter(
      ([event, payload]) =>
        !(
          event === 'invocation_complete' &&
          payload.result &&
          (payload.invocation as { id: string }).id === '1-b'
        ),
    )
    const comparison = run([...dropped, progress(1, '1-a', 'decode', 0.4)])
    // The engine ends the copy that never completed with the item; the naive client shows it running.
    expect(comparison.totals.stuck_in_progress).toBe(1)
    expect(comparison.naive.nodesInProgress).toBe(1)
    expect(comparison.engine.nodesInProgress).toBe(0)
  })

  it('finds an item status that differs and an old current run', () => {
    const late = [
      ...fanoutRun(1),
      ...fanoutRun(2),
      ['queue_item_status_changed', { ...fanoutRun(1)[1]?.[1] }] as WireEvent,
    ]
    const comparison = run(late)
    expect(comparison.totals.item_status).toBe(1)
    expect(comparison.totals.stale_current).toBe(1)
    expect(comparison.differences.find((d) => d.kind === 'stale_current')?.itemId).toBe(1)
  })

  it('does not compare an item the engine has not settled', () => {
    const comparison = run(fanoutRun(1).slice(0, 4))
    expect(comparison).toMatchObject({ total: 0, compared: 0, running: 1 })
  })

  it('leaves out images the engine learned by hydration', () => {
    const engine = engineOnMockSocket()
    closers.push(engine.close)
    const comparison = compareNaiveWithEngine({
      naive: createNaiveState({ maxItems: 1, maxImages: 1 }),
      engine: engine.store.getState(),
      engineGallery: [{ itemId: 4, imageName: 'old.png', via: 'hydration' }],
      engineActiveItemId: undefined,
    })
    expect(comparison.total).toBe(0)
  })
})
