import { afterEach, describe, expect, it } from 'vitest'
import { attachNaiveClient } from '../attachNaiveClient'
import { compareNaiveWithEngine, createNaiveComparer, type CompareInput } from '../compare'
import { doubled, engineOnMockSocket, fanoutRun, progress, started, status, type WireEvent } from './wire'

/*
 * The remembering comparer the panel uses: after every batch of events, the same comparison as one from
 * scratch, with only the items that changed recomputed.
 */

const closers: (() => void)[] = []
afterEach(() => closers.splice(0).forEach((close) => close()))

function page() {
  const engine = engineOnMockSocket()
  const naive = attachNaiveClient(engine.socket, { maxItems: 100, maxImages: 200 })
  closers.push(engine.close, naive.detach)
  const input = (): CompareInput => ({
    naive: naive.state.get(),
    engine: engine.store.getState(),
    engineGallery: [...engine.gallery],
    engineActiveItemId: engine.store.getState().workflowExecution.activeItemIdByOrigin.workflows,
  })
  return { engine, input }
}

describe('the remembering comparer', () => {
  it('compares as a comparison from scratch after each batch of events', () => {
    const { engine, input } = page()
    const compare = createNaiveComparer()
    const batches: WireEvent[][] = [
      fanoutRun(1),
      doubled(fanoutRun(2)),
      [started(3, '3-a', 'decode')],
      [progress(1, '1-a', 'decode', 0.9)],
      fanoutRun(4),
      [status(2, 'in_progress', 99)],
      [],
    ]
    for (const batch of batches) {
      engine.push(batch)
      expect(compare(input())).toEqual(compareNaiveWithEngine(input()))
    }
    expect(compare(input()).total).toBeGreaterThan(0)
  })

  it('reuses the differences of a settled item that did not change', () => {
    const { engine, input } = page()
    const compare = createNaiveComparer()
    engine.push([...doubled(fanoutRun(1)), progress(1, '1-a', 'decode', 0.9)])
    const first = compare(input())
    engine.push(fanoutRun(2))
    const second = compare(input())
    const ofItem1 = (differences: typeof first.differences) => differences.filter((d) => d.itemId === 1)
    expect(ofItem1(first.differences).length).toBeGreaterThan(0)
    ofItem1(second.differences).forEach((difference, i) =>
      expect(difference).toBe(ofItem1(first.differences)[i]),
    )
  })
})
