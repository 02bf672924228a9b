import { configureStore } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import { workflowExecutionReducer } from './helpers'
import {
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectNodeCopyCounts,
  selectNodeExecutionState,
  selectNodeIds,
  selectQueueItemExecution,
  selectQueueItems,
  selectRecentDecisions,
} from '../selectors'
import { completeAction, errorAction, progressAction, startedAction, statusChanged } from './helpers'

function createStore() {
  return configureStore({ reducer: { workflowExecution: workflowExecutionReducer } })
}

describe('selectors', () => {
  it('a change to one node leaves every other node’s object as it was', () => {
    const store = createStore()
    store.dispatch(statusChanged(1, 'in_progress', 1))
    store.dispatch(startedAction(1, 'p1', 'n1'))
    store.dispatch(startedAction(1, 'p2', 'n2'))
    store.dispatch(statusChanged(2, 'in_progress', 1, { origin: 'canvas' }))
    store.dispatch(startedAction(2, 'q1', 'n1', { origin: 'canvas' }))
    const n1 = selectNodeExecutionState(store.getState(), 1, 'n1')
    const otherItemNode = selectNodeExecutionState(store.getState(), 2, 'n1')
    const otherItem = selectQueueItemExecution(store.getState(), 2)

    store.dispatch(progressAction(1, 'p2', 'n2', 0.5))
    expect(selectNodeExecutionState(store.getState(), 1, 'n2')?.progress).toBe(0.5)
    expect(selectNodeExecutionState(store.getState(), 1, 'n1')).toBe(n1)
    expect(selectNodeExecutionState(store.getState(), 2, 'n1')).toBe(otherItemNode)
    expect(selectQueueItemExecution(store.getState(), 2)).toBe(otherItem)

    store.dispatch(completeAction(1, 'p2', 'n2', 7))
    expect(selectNodeExecutionState(store.getState(), 1, 'n2')?.status).toBe('COMPLETED')
    expect(selectNodeExecutionState(store.getState(), 1, 'n1')).toBe(n1)
  })

  it('an ignored event leaves the node objects as they were', () => {
    const store = createStore()
    store.dispatch(statusChanged(1, 'in_progress', 1))
    store.dispatch(startedAction(1, 'p1', 'n1'))
    store.dispatch(completeAction(1, 'p1', 'n1', 3))
    const node = selectNodeExecutionState(store.getState(), 1, 'n1')
    store.dispatch(completeAction(1, 'p1', 'n1', 3))
    store.dispatch(startedAction(1, 'p1', 'n1'))
    expect(selectNodeExecutionState(store.getState(), 1, 'n1')).toBe(node)
    expect(node?.outputs).toHaveLength(1)
    expect(selectRecentDecisions(store.getState(), 1).slice(-2)).toEqual([
      { rule: 'I3', event: 'complete', applied: false },
      { rule: 'I3', event: 'started', applied: false },
    ])
  })

  it('the active node follows the item that most recently went in_progress for an origin', () => {
    const store = createStore()
    store.dispatch(statusChanged(1, 'in_progress', 1))
    store.dispatch(startedAction(1, 'p1', 'n1'))
    expect(selectActiveItemId(store.getState(), 'workflows')).toBe(1)
    expect(selectActiveNodeExecutionState(store.getState(), 'workflows', 'n1')?.status).toBe('IN_PROGRESS')

    // A queued item is not the current run until it goes in_progress.
    store.dispatch(statusChanged(2, 'pending', 0))
    expect(selectActiveItemId(store.getState(), 'workflows')).toBe(1)

    store.dispatch(statusChanged(2, 'in_progress', 1))
    expect(selectActiveItemId(store.getState(), 'workflows')).toBe(2)
    expect(selectActiveNodeExecutionState(store.getState(), 'workflows', 'n1')).toBeUndefined()
    store.dispatch(startedAction(2, 'p1', 'n1'))
    store.dispatch(progressAction(2, 'p1', 'n1', 0.3))
    expect(selectActiveNodeExecutionState(store.getState(), 'workflows', 'n1')).toBe(
      selectNodeExecutionState(store.getState(), 2, 'n1'),
    )

    // The previous item finishing, or a stale in_progress of it, does not take the current run back.
    store.dispatch(completeAction(1, 'p1', 'n1', 1))
    store.dispatch(statusChanged(1, 'completed', 2))
    store.dispatch(statusChanged(1, 'in_progress', 1))
    expect(selectActiveItemId(store.getState(), 'workflows')).toBe(2)
    expect(selectActiveNodeExecutionState(store.getState(), 'workflows', 'n1')?.progress).toBe(0.3)
    // Starting item 2 did not touch item 1's state.
    expect(selectNodeExecutionState(store.getState(), 1, 'n1')).toMatchObject({
      status: 'COMPLETED',
      outputs: [{ value: 1 }],
    })
  })

  it('a canvas run never touches the workflow editor’s run, and two running items stay apart', () => {
    const store = createStore()
    store.dispatch(statusChanged(1, 'in_progress', 1))
    store.dispatch(startedAction(1, 'p1', 'n1'))
    store.dispatch(statusChanged(2, 'in_progress', 1, { origin: 'canvas' }))
    store.dispatch(startedAction(2, 'q1', 'n1', { origin: 'canvas' }))
    store.dispatch(statusChanged(3, 'in_progress', 1))
    store.dispatch(startedAction(3, 'r1', 'n1'))
    store.dispatch(completeAction(3, 'r1', 'n1', 3))

    expect(selectActiveItemId(store.getState(), 'canvas')).toBe(2)
    expect(selectActiveItemId(store.getState(), 'workflows')).toBe(3)
    expect(selectActiveNodeExecutionState(store.getState(), 'canvas', 'n1')?.status).toBe('IN_PROGRESS')
    expect(selectActiveNodeExecutionState(store.getState(), 'workflows', 'n1')?.status).toBe('COMPLETED')
    // Item 1 still runs (multi-GPU): its own state is its own.
    expect(selectNodeExecutionState(store.getState(), 1, 'n1')?.status).toBe('IN_PROGRESS')
    expect(selectActiveNodeExecutionState(store.getState(), 'upscaling', 'n1')).toBeUndefined()
    expect(selectActiveItemId(store.getState(), '__proto__')).toBeUndefined()
  })

  it('lists node ids in first-seen order and items most recently touched first', () => {
    const store = createStore()
    store.dispatch(startedAction(1, 'p-b', 'b'))
    store.dispatch(startedAction(1, 'p-a', 'a'))
    store.dispatch(statusChanged(2, 'pending', 0))
    expect(selectNodeIds(store.getState(), 1)).toEqual(['b', 'a'])
    expect(selectQueueItems(store.getState()).map((item) => item.itemId)).toEqual([2, 1])
    store.dispatch(progressAction(1, 'p-a', 'a', 0.1))
    expect(selectQueueItems(store.getState()).map((item) => item.itemId)).toEqual([1, 2])
    expect(selectNodeIds(store.getState(), 99)).toEqual([])
  })

  it('counts the copies of a fan-out node by state, the same object while the counts stay the same', () => {
    const store = createStore()
    store.dispatch(statusChanged(1, 'in_progress', 1))
    expect(selectNodeCopyCounts(store.getState(), 1, 'denoise')).toBeUndefined()
    for (const copy of ['d1', 'd2', 'd3']) store.dispatch(startedAction(1, copy, 'denoise'))
    store.dispatch(startedAction(1, 'once', 'seeds'))
    const running = selectNodeCopyCounts(store.getState(), 1, 'denoise')
    expect(running).toEqual({ total: 3, running: 3, completed: 0, failed: 0, canceled: 0 })

    // Progress changes the node, not its counts.
    store.dispatch(progressAction(1, 'd2', 'denoise', 0.5))
    expect(selectNodeExecutionState(store.getState(), 1, 'denoise')?.progress).toBe(0.5)
    expect(selectNodeCopyCounts(store.getState(), 1, 'denoise')).toBe(running)

    store.dispatch(completeAction(1, 'd1', 'denoise'))
    store.dispatch(completeAction(1, 'd1', 'denoise'))
    store.dispatch(errorAction(1, 'd3', 'denoise'))
    expect(selectNodeCopyCounts(store.getState(), 1, 'denoise')).toEqual({
      total: 3,
      running: 1,
      completed: 1,
      failed: 1,
      canceled: 0,
    })
    expect(selectNodeCopyCounts(store.getState(), 1, 'seeds')?.total).toBe(1)
    expect(selectNodeCopyCounts(store.getState(), 1, 'missing')).toBeUndefined()
    expect(selectNodeCopyCounts(store.getState(), 99, 'denoise')).toBeUndefined()
  })

  it('counts a stopped item’s running copies as canceled', () => {
    const store = createStore()
    store.dispatch(statusChanged(1, 'in_progress', 1))
    store.dispatch(startedAction(1, 'd1', 'denoise'))
    store.dispatch(completeAction(1, 'd1', 'denoise'))
    store.dispatch(startedAction(1, 'd2', 'denoise'))
    store.dispatch(statusChanged(1, 'canceled', 2))
    expect(selectNodeCopyCounts(store.getState(), 1, 'denoise')).toEqual({
      total: 2,
      running: 0,
      completed: 1,
      failed: 0,
      canceled: 1,
    })
  })
})
