import { trieGet } from '../structures/hashTrie'
import { describe, expect, it } from 'vitest'
import { applySnapshot as applyRun } from '../snapshot'
import { parseSessionError, persistedRunOfQueueItem } from '../../../../invokeai/wire/persisted'
import { createQueueItemExecution } from '../transition'
import {
  complete,
  itemIn,
  output,
  persistedItem,
  reconcileRequested,
  run,
  snapshotEvent,
  started,
  copyOf,
  nodeOf,
} from './builders'

describe('applySnapshot (what R1 does with the persisted session)', () => {
  it('orders outputs by executed_history, whatever the order of results and mappings', () => {
    const snapshot = persistedItem('completed', {
      results: { p3: output(3), p1: output(1), p2: output(2) },
      source_prepared_mapping: { n: ['p2', 'p3', 'p1'] },
      executed_history: ['p1', 'p2', 'p3', 'n'],
    })
    const item = applySnapshot(createQueueItemExecution(7), snapshot)
    expect(nodeOf(item, 'n')?.outputs).toEqual([output(1), output(2), output(3)])
    expect(trieGet(item.nodes, 'n')?.tally).toMatchObject({ completed: 3, running: 0 })
  })

  it('falls back to executed when executed_history is missing', () => {
    const snapshot = persistedItem('completed', {
      results: { p2: output(2), p1: output(1) },
      prepared_source_mapping: { p1: 'n', p2: 'n' },
      executed: ['p1', 'p2'],
    })
    expect(nodeOf(applySnapshot(createQueueItemExecution(7), snapshot), 'n')?.outputs).toEqual([
      output(1),
      output(2),
    ])
  })

  it('attributes a result through either mapping, or through the copy the socket already knew', () => {
    const known = run(itemIn('in_progress'), started('p3', 'n3'))
    const snapshot = persistedItem('completed', {
      results: { p1: output(1), p2: output(2), p3: output(3) },
      prepared_source_mapping: { p1: 'n1' },
      source_prepared_mapping: { n2: ['p2'] },
    })
    const item = applySnapshot(known, snapshot)
    expect(nodeOf(item, 'n1')?.outputs).toEqual([output(1)])
    expect(nodeOf(item, 'n2')?.outputs).toEqual([output(2)])
    expect(nodeOf(item, 'n3')).toMatchObject({ status: 'COMPLETED', outputs: [output(3)] })
    expect(item.orphanOutputs).toEqual([])
  })

  it('keeps a result that neither mapping attributes as an orphan, once, never silently dropped', () => {
    const snapshot = persistedItem('completed', {
      results: { stray: output('stray'), p1: output(1) },
      prepared_source_mapping: { p1: 'n1' },
    })
    let item = run(itemIn('completed'), reconcileRequested('r1'), snapshotEvent('r1', snapshot))
    expect(item.orphanOutputs).toEqual([
      { preparedId: 'stray', output: output('stray'), invocationType: null, isIntermediate: null },
    ])
    item = run(item, reconcileRequested('r2'), snapshotEvent('r2', snapshot))
    expect(item.orphanOutputs).toHaveLength(1)
    expect(nodeOf(item, 'n1')?.outputs).toEqual([output(1)])
  })

  it('keeps an output the socket delivered as received, and never shows it twice', () => {
    const socketOutput = { type: 'image_output', image: { image_name: 'a.png' }, output_meta: null }
    const item = run(itemIn('in_progress'), complete('p1', 'n1', socketOutput))
    const snapshot = persistedItem('completed', {
      results: { p1: { type: 'image_output', image: { image_name: 'a.png' } } },
      prepared_source_mapping: { p1: 'n1' },
    })
    const after = applySnapshot(item, snapshot)
    expect(nodeOf(after, 'n1')?.outputs).toEqual([socketOutput])
  })

  it('a persisted error fails its copy with the parsed error; a completed copy stays completed', () => {
    const item = run(itemIn('in_progress'), complete('p2', 'n2', output(2)))
    const snapshot = persistedItem('failed', {
      errors: { p1: 'OutOfMemoryError: CUDA out of memory', p2: 'ValueError: late' },
      prepared_source_mapping: { p1: 'n1', p2: 'n2' },
    })
    const after = applySnapshot(item, snapshot)
    expect(copyOf(after, 'p1')?.status).toBe('failed')
    expect(nodeOf(after, 'n1')).toMatchObject({
      status: 'FAILED',
      error: { error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory', error_traceback: null },
    })
    expect(nodeOf(after, 'n2')).toMatchObject({ status: 'COMPLETED', outputs: [output(2)], error: null })
  })
})

const applySnapshot = (
  item: Parameters<typeof applyRun>[0],
  snapshot: Parameters<typeof persistedRunOfQueueItem>[0],
) => applyRun(item, persistedRunOfQueueItem(snapshot))

describe('parseSessionError', () => {
  it.each([
    ['ValueError: bad value', 'ValueError', 'bad value'],
    ['torch.OutOfMemoryError: CUDA out of memory', 'torch.OutOfMemoryError', 'CUDA out of memory'],
    ['KeyError: a: b: c', 'KeyError', 'a: b: c'],
    ['RuntimeError:', 'RuntimeError', ''],
    ['RuntimeError: line one\nline two', 'RuntimeError', 'line one\nline two'],
    ['something went wrong', 'Error', 'something went wrong'],
  ])('%j → %s / %j', (text, type, message) => {
    expect(parseSessionError(text)).toEqual({
      error_type: type,
      error_message: message,
      error_traceback: null,
    })
  })
})
