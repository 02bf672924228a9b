import { configureStore } from '@reduxjs/toolkit'
import { describe, expect, it } from 'vitest'
import { loadFixture } from '../../../../../test/fixtures'
import { socketEventActions } from '../../../../invokeai'
import { workflowExecutionReducer } from './helpers'
import { validateSocketEvent } from '../../../../invokeai/wire'
import type { SocketEventName } from '../../../../invokeai/wire/types'
import { createInitialState, type WorkflowExecutionState } from '../state'
import { reduce, runActions, startedAction, statusChanged } from './helpers'

/*
 * A payload that fails its schema never throws out of the reducer and returns the very same state.
 */

type Payload = Record<string, unknown>

const VALID: Record<SocketEventName, () => Payload> = {
  queue_item_status_changed: () => loadFixture('queue_item_status_changed.in_progress.json'),
  invocation_started: () => loadFixture('invocation_started.json'),
  invocation_progress: () => loadFixture('invocation_progress.json'),
  invocation_complete: () => loadFixture('invocation_complete.json'),
  invocation_error: () => loadFixture('invocation_error.json'),
  batch_enqueued: () => loadFixture('batch_enqueued.json'),
  queue_cleared: () => loadFixture('queue_cleared.json'),
  queue_items_canceled: () => loadFixture('queue_items_canceled.json'),
  queue_items_retried: () => loadFixture('queue_items_retried.json'),
}

function deeplyNested(depth: number): Payload {
  let value: Payload = { leaf: true }
  for (let i = 0; i < depth; i += 1) value = { nested: value }
  return value
}

function wide(keys: number): Payload {
  return Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, { i, text: 'x'.repeat(8) }]))
}

const without = (payload: Payload, key: string) =>
  Object.fromEntries(Object.entries(payload).filter(([name]) => name !== key))

/** Payloads that must fail the schema of `event`: shapes every event shares, and its own required fields. */
function badPayloads(event: SocketEventName): [string, unknown][] {
  const valid = VALID[event]()
  const common: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', '{"item_id":42}'],
    ['an array', [valid]],
    ['a huge nested object', { ...deeplyNested(5_000), ...wide(20_000), item_id: 'x', queue_id: 7 }],
    ['a deeply nested object in place of the payload', deeplyNested(5_000)],
  ]
  if ('item_id' in valid) {
    return [
      ...common,
      ['missing item_id', without(valid, 'item_id')],
      ['string item_id', { ...valid, item_id: String(valid.item_id) }],
      ['negative item_id', { ...valid, item_id: -1 }],
      ['item_id nested huge', { ...valid, item_id: deeplyNested(5_000) }],
    ]
  }
  switch (event) {
    case 'queue_items_canceled':
      return [
        ...common,
        ['missing canceled_item_ids', without(valid, 'canceled_item_ids')],
        ['string ids', { ...valid, canceled_item_ids: ['46', '47'] }],
      ]
    case 'queue_items_retried':
      return [
        ...common,
        ['missing retried_item_ids', without(valid, 'retried_item_ids')],
        ['string ids', { ...valid, retried_item_ids: ['43'] }],
      ]
    case 'batch_enqueued':
      return [
        ...common,
        ['missing batch_id', without(valid, 'batch_id')],
        ['numeric batch_id', { ...valid, batch_id: 1 }],
      ]
    default:
      return [
        ...common,
        ['missing queue_id', without(valid, 'queue_id')],
        ['numeric user_id', { ...valid, user_id: 5 }],
      ]
  }
}

/** A store state with tracked items: running, terminal, and the fixtures' own ids. */
function trackedState(): WorkflowExecutionState {
  return reduce(
    createInitialState(),
    statusChanged(42, 'in_progress', 1),
    startedAction(42, 'b6e4d5f7-8a9c-4d0e-9f2a-3b4c5d6e7f80', 'a7c3e1f9-2b4d-4f6a-8c0e-9d1b3f5a7c2e'),
    statusChanged(43, 'in_progress', 1),
    statusChanged(46, 'in_progress', 1),
    statusChanged(47, 'pending', 0),
    ...runActions(5, 'failed'),
  )
}

const CASES = (Object.keys(socketEventActions) as SocketEventName[]).flatMap((event) =>
  badPayloads(event).map(([what, payload]) => [event, what, payload] as const),
)

describe('bad input never reaches the state', () => {
  it.each(CASES)(
    '%s with %s: fails its schema, returns the same state, throws nothing',
    (event, _what, payload) => {
      expect(validateSocketEvent(event, payload).ok).toBe(false)
      const state = trackedState()
      let next: WorkflowExecutionState | undefined
      expect(() => {
        next = workflowExecutionReducer(state, socketEventActions[event](payload as never))
      }).not.toThrow()
      expect(next).toBe(state)
    },
  )

  it('the valid payloads these are built from do change the state (the cases above are not vacuous)', () => {
    const state = trackedState()
    for (const event of [
      'queue_item_status_changed',
      'invocation_complete',
      'queue_items_canceled',
    ] as const) {
      const payload =
        event === 'queue_item_status_changed'
          ? { ...VALID[event](), status: 'completed', status_sequence: 2 }
          : VALID[event]()
      expect(validateSocketEvent(event, payload).ok).toBe(true)
      expect(workflowExecutionReducer(state, socketEventActions[event](payload as never)), event).not.toBe(
        state,
      )
    }
  })

  it('a store dispatching bad payloads keeps running and its state object is unchanged', () => {
    const store = configureStore({
      reducer: { workflowExecution: workflowExecutionReducer },
      preloadedState: { workflowExecution: trackedState() },
    })
    const before = store.getState().workflowExecution
    for (const [event, what, payload] of CASES) {
      // The huge ones are for the reducer alone: a store's dev-mode checks walk every action.
      if (/huge|deeply/.test(what)) continue
      expect(() => store.dispatch(socketEventActions[event](payload as never))).not.toThrow()
    }
    expect(store.getState().workflowExecution).toBe(before)
  })
})
