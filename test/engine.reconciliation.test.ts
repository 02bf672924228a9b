import { describe, expect, it } from 'vitest'
import {
  invocationComplete,
  invocationError,
  queueItemStatusChanged,
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectNodeExecutionState,
  selectRecentDecisions,
} from '../src'
import { useEngines } from './helpers/harness'
import {
  complete,
  imageResult,
  invocationError as errorPayload,
  persistedItem,
  progress,
  started,
  statusChanged,
  stripNulls,
} from './helpers/wire'

const engine = useEngines()

const one = { itemId: 1 }
const two = { itemId: 2 }

describe('reconciliation through the real store, socket and REST', () => {
  it("a slow reconciliation of item 1 resolving after item 2 started leaves item 2's active nodes as item 2 made them", async () => {
    const e = engine()
    e.queueItems.setItem(
      persistedItem(one, 'completed', 2, [
        { preparedId: 'p1', sourceId: 'denoise', result: { type: 'latents_output' } },
      ]),
    )
    e.queueItems.setDelay(1, 80)
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'p1', 'denoise'))
    e.push('invocation_complete', complete(one, 'p1', 'denoise', { type: 'latents_output' }))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    // Item 2: same workflow, same node, running while item 1's answer is still on its way.
    e.push('queue_item_status_changed', statusChanged(two, 'in_progress', 1))
    e.push('invocation_started', started(two, 'p2', 'denoise'))
    e.push('invocation_progress', progress(two, 'p2', 'denoise', 0.5))
    const before = selectActiveNodeExecutionState(e.store.getState(), 'workflows', 'denoise')

    await e.settle()

    expect(e.queueItems.requestsFor(1)).toHaveLength(1)
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(2)
    const after = selectActiveNodeExecutionState(e.store.getState(), 'workflows', 'denoise')
    expect(after).toBe(before)
    expect(after).toMatchObject({ status: 'IN_PROGRESS', progress: 0.5, outputs: [] })
    expect(e.item(1)).toMatchObject({ status: 'completed', settled: true, reconciliation: { phase: 'done' } })
    expect(selectNodeExecutionState(e.store.getState(), 1, 'denoise')?.status).toBe('COMPLETED')
  })

  it.each([
    ['failed', () => statusChanged(one, 'failed', 2, { type: 'ValueError', message: 'boom' })],
    ['canceled', () => statusChanged(one, 'canceled', 2)],
  ])(
    'a late completion with an image after %s reaches the host and is delivered once',
    async (_label, terminal) => {
      const e = engine()
      e.queueItems.setItem(
        persistedItem(one, _label === 'failed' ? 'failed' : 'canceled', 2, [
          { preparedId: 'l2i-1', sourceId: 'l2i', result: imageResult('a.png') },
        ]),
      )
      e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
      e.push('invocation_started', started(one, 'l2i-1', 'l2i'))
      e.push('queue_item_status_changed', terminal())
      e.push('invocation_complete', complete(one, 'l2i-1', 'l2i', imageResult('a.png')))
      await e.settle()

      expect(e.actions.filter(invocationComplete.match)).toHaveLength(1)
      const delivered = e.outputs().filter((output) => output.preparedId === 'l2i-1')
      expect(delivered).toHaveLength(1)
      expect(delivered[0]).toMatchObject({
        via: 'socket',
        sourceNodeId: 'l2i',
        origin: 'workflows',
        destination: 'gallery',
      })
      const node = selectNodeExecutionState(e.store.getState(), 1, 'l2i')
      expect(node?.status).toBe('COMPLETED')
      expect(node?.outputs).toEqual([imageResult('a.png')])
    },
  )

  it('a late completion after reconciliation already completed that copy is not delivered again', async () => {
    const e = engine()
    e.queueItems.setItem(
      persistedItem(one, 'completed', 2, [
        { preparedId: 'l2i-1', sourceId: 'l2i', result: imageResult('a.png') },
      ]),
    )
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'l2i-1', 'l2i'))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    await e.settle()
    expect(e.outputs()).toMatchObject([{ preparedId: 'l2i-1', via: 'reconciliation' }])

    e.push('invocation_complete', complete(one, 'l2i-1', 'l2i', imageResult('a.png')))
    await e.settle()
    expect(e.actions.filter(invocationComplete.match)).toHaveLength(1)
    expect(e.outputs()).toHaveLength(1)
    expect(selectNodeExecutionState(e.store.getState(), 1, 'l2i')?.outputs).toHaveLength(1)
    expect(selectRecentDecisions(e.store.getState(), 1).at(-1)).toEqual({
      rule: 'I3',
      event: 'complete',
      applied: false,
    })
  })

  it('a failed run is reconciled: sibling outputs that never came over the socket appear once, errors fail their nodes', async () => {
    const e = engine()
    e.queueItems.setItem(
      persistedItem(one, 'failed', 2, [
        { preparedId: 'it-1', sourceId: 'iterate', result: { type: 'iterate_output', item: 1 } },
        { preparedId: 'it-2', sourceId: 'iterate', result: { type: 'iterate_output', item: 2 } },
        { preparedId: 'l2i-1', sourceId: 'l2i', result: imageResult('one.png') },
        { preparedId: 'l2i-2', sourceId: 'l2i', error: 'OutOfMemoryError: CUDA out of memory' },
      ]),
    )
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'it-1', 'iterate'))
    e.push('invocation_complete', complete(one, 'it-1', 'iterate', { type: 'iterate_output', item: 1 }))
    // it-2, l2i-1 never arrive over the socket; l2i-2 started and the run failed outside any error event.
    e.push('invocation_started', started(one, 'l2i-2', 'l2i'))
    e.push(
      'queue_item_status_changed',
      statusChanged(one, 'failed', 2, { type: 'OutOfMemoryError', message: 'CUDA' }),
    )
    await e.settle()

    const state = e.store.getState()
    expect(selectNodeExecutionState(state, 1, 'iterate')).toMatchObject({ status: 'COMPLETED' })
    expect(selectNodeExecutionState(state, 1, 'iterate')?.outputs).toHaveLength(2)
    expect(selectNodeExecutionState(state, 1, 'l2i')).toMatchObject({
      status: 'FAILED',
      // Found only in the persisted session, where REST omits null fields.
      outputs: [stripNulls(imageResult('one.png'))],
      error: { error_type: 'OutOfMemoryError', error_message: 'CUDA out of memory', error_traceback: null },
    })
    expect(e.outputs().map((output) => [output.preparedId, output.via])).toEqual([
      ['it-1', 'socket'],
      ['it-2', 'reconciliation'],
      ['l2i-1', 'reconciliation'],
    ])
    expect(Object.values(e.item(1)?.nodes ?? {}).some((node) => node.status === 'IN_PROGRESS')).toBe(false)
    expect(e.item(1)?.settled).toBe(true)
  })

  it('a canceled run is reconciled after the delay and keeps the results the server saved late', async () => {
    const e = engine({ canceledReconcileDelayMs: 30 })
    e.queueItems.setItem(
      persistedItem(one, 'canceled', 2, [
        { preparedId: 'd-1', sourceId: 'denoise', result: { type: 'latents_output' } },
        { preparedId: 'd-2', sourceId: 'denoise' },
      ]),
    )
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'd-1', 'denoise'))
    e.push('invocation_started', started(one, 'd-2', 'denoise'))
    e.push('queue_item_status_changed', statusChanged(one, 'canceled', 2))
    // No node stays running once the item stopped, even before the server answers.
    expect(selectNodeExecutionState(e.store.getState(), 1, 'denoise')?.status).toBe('CANCELED')
    await e.settle()

    expect(e.queueItems.requestsFor(1)).toHaveLength(1)
    expect(selectNodeExecutionState(e.store.getState(), 1, 'denoise')).toMatchObject({
      status: 'CANCELED',
      outputs: [{ type: 'latents_output' }],
    })
    expect(e.outputs().map((output) => output.preparedId)).toEqual(['d-1'])
  })

  it('two identical terminal events make one reconciliation request; a terminal flip is ignored', async () => {
    const e = engine()
    e.queueItems.setItem(persistedItem(one, 'completed', 2, []))
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    e.push('queue_item_status_changed', statusChanged(one, 'failed', 3, { type: 'X', message: 'flip' }))
    await e.settle()

    expect(e.queueItems.requestsFor(1)).toHaveLength(1)
    expect(e.actions.filter(e.engine.reconcileQueueItem.fulfilled.match)).toHaveLength(1)
    expect(e.item(1)).toMatchObject({ status: 'completed', error: null, settled: true })
    const rules = selectRecentDecisions(e.store.getState(), 1).map((decision) => decision.rule)
    expect(rules).toEqual(['Q1b', 'A2', 'Q2', 'R0', 'Q5', 'Q5', 'R1'])
  })

  it('a late invocation_error from the canvas after canceled still reaches the host, and changes no node', async () => {
    const canvas = { itemId: 9, origin: 'canvas_workflow_integration', destination: 'canvas' }
    const e = engine()
    e.queueItems.setItem(persistedItem(canvas, 'canceled', 2, []))
    e.push('queue_item_status_changed', statusChanged(canvas, 'in_progress', 1))
    e.push('invocation_started', started(canvas, 'p', 'node'))
    e.push('queue_item_status_changed', statusChanged(canvas, 'canceled', 2))
    e.push('invocation_error', errorPayload(canvas, 'p', 'node'))
    await e.settle()

    const raw = e.actions.filter(invocationError.match)
    expect(raw).toHaveLength(1)
    expect(raw[0]?.payload.origin).toBe('canvas_workflow_integration')
    expect(selectNodeExecutionState(e.store.getState(), 9, 'node')).toMatchObject({
      status: 'CANCELED',
      error: null,
    })
    expect(selectRecentDecisions(e.store.getState(), 9)).toContainEqual({
      rule: 'T4',
      event: 'error',
      applied: false,
    })
    expect(e.actions.filter(queueItemStatusChanged.match)).toHaveLength(2)
  })
})
