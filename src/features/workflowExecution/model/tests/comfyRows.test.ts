import { describe, expect, it } from 'vitest'
import { nodeView } from '../nodes'
import { trieGet } from '../structures/hashTrie'
import type { QueueItemExecution } from '../types'
import {
  blocked,
  cached,
  complete,
  expectUnchanged,
  itemIn,
  output,
  progressState,
  run,
  started,
  status,
  step,
} from './builders'

/*
 * The rows a server without per-item status events needs (ComfyUI): nodes served from cache, a
 * non-terminal node error, and progress as a whole-item snapshot. One scenario per row.
 */

const nodeOf = (item: QueueItemExecution, nodeId: string) => {
  const node = trieGet(item.nodes, nodeId)
  return node && nodeView(node)
}

describe('a node served from cache', () => {
  it('K1: completes without running and says so; its output attaches later, once (I5)', () => {
    const item = itemIn('in_progress')
    const { state, decision } = step(item, cached('4', '4'))
    expect(decision).toEqual({ applied: true, rule: 'K1' })
    expect(nodeOf(state, '4')).toMatchObject({ status: 'COMPLETED', cached: true, outputs: [] })

    const image = output('ComfyUI_00001_.png', 'comfyui_output')
    const attached = step(state, complete('4', '4', image))
    expect(attached.decision).toEqual({ applied: true, rule: 'I5' })
    expect(nodeOf(attached.state, '4')?.outputs).toEqual([image])
    expect(trieGet(attached.state.copies, '4')?.delivered).toBe(true)

    // The server sends a cached node's output again at the end of a run: a duplicate.
    const again = step(attached.state, complete('4', '4', image))
    expect(again.decision).toEqual({ applied: false, rule: 'I3' })
    expect(nodeOf(again.state, '4')?.outputs).toEqual([image])
  })

  it('K1 through I4: a cache hit is the first word of an item not known to run, so it runs', () => {
    const { state, decision } = step(itemIn(null), cached('4', '4'))
    expect(decision.rule).toBe('I4')
    expect(state.status).toBe('in_progress')
    expect(nodeOf(state, '4')?.cached).toBe(true)
  })

  it('K2: after the item stopped, the persisted word says which nodes were cached', () => {
    const item = itemIn('completed')
    const { state, decision } = step(item, cached('4', '4'))
    expect(decision).toEqual({ applied: false, rule: 'K2' })
    expectUnchanged(item, state)
  })

  it('K3: a node that started is not served from cache', () => {
    const item = run(itemIn('in_progress'), started('3', '3'))
    const { state, decision } = step(item, cached('3', '3'))
    expect(decision).toEqual({ applied: false, rule: 'K3' })
    expect(nodeOf(state, '3')).toMatchObject({ status: 'IN_PROGRESS' })
    expect(nodeOf(state, '3')?.cached).toBeUndefined()
  })
})

describe('a non-terminal node error', () => {
  it('B1: the node ends with its message and the item runs on, to success', () => {
    const item = run(itemIn('in_progress'), started('6', '6'))
    const { state, decision } = step(item, blocked('6', '6', 'needs an image'))
    expect(decision).toEqual({ applied: true, rule: 'B1' })
    expect(state.status).toBe('in_progress')
    expect(nodeOf(state, '6')).toMatchObject({
      status: 'FAILED',
      error: { error_type: 'ExecutionBlocked', error_message: 'needs an image' },
    })
    const done = run(state, started('9', '9'), complete('9', '9'), status('completed'))
    expect(done.status).toBe('completed')
    expect(nodeOf(done, '9')?.status).toBe('COMPLETED')
  })

  it('B2: after the item stopped it is stale', () => {
    const item = itemIn('completed')
    const { state, decision } = step(item, blocked('6', '6'))
    expect(decision).toEqual({ applied: false, rule: 'B2' })
    expectUnchanged(item, state)
  })
})

describe('progress as a whole-item snapshot', () => {
  it('P1: each listed node runs or finishes; a terminal node never moves back', () => {
    const item = run(itemIn('in_progress'), started('4', '4'), complete('4', '4'))
    const { state, decision } = step(item, progressState({ '4': 0.2, '3': 0.25, '5': 'finished' }))
    expect(decision).toEqual({ applied: true, rule: 'P1' })
    expect(nodeOf(state, '4')?.status).toBe('COMPLETED')
    expect(nodeOf(state, '3')).toMatchObject({ status: 'IN_PROGRESS', progress: 0.25 })
    expect(nodeOf(state, '5')).toMatchObject({ status: 'COMPLETED', outputs: [] })

    const later = step(state, progressState({ '3': 0.5, '5': 'finished' })).state
    expect(nodeOf(later, '3')?.progress).toBe(0.5)
    // The same snapshot again rewrites nothing.
    const repeated = step(later, progressState({ '3': 0.5, '5': 'finished' })).state
    expect(repeated.nodes).toBe(later.nodes)
    expect(repeated.copies).toBe(later.copies)
  })

  it('P1: a snapshot is evidence that an item not known to run runs', () => {
    const { state } = step(itemIn('pending'), progressState({ '3': 0 }))
    expect(state.status).toBe('in_progress')
  })

  it('P2: after the item stopped it is stale, and no node is left running', () => {
    const item = itemIn('canceled')
    const { state, decision } = step(item, progressState({ '3': 0.5 }))
    expect(decision).toEqual({ applied: false, rule: 'P2' })
    expectUnchanged(item, state)
  })
})
