import {
  configureStore,
  findNonSerializableValue,
  SHOULD_AUTOBATCH,
  type UnknownAction,
} from '@reduxjs/toolkit'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { loadFixture, persisted, sequences } from '../../../../../test/fixtures'
import { eventRejected, invocationOutputReceived, socketConnected, socketDisconnected } from '..'
import { socketEventActions } from '../../../../invokeai'
import { queueItemsCanceled } from '../../../../invokeai'
import { queueCleared } from '../../../../invokeai'
import { createWorkflowExecution } from '../../../../invokeai/createWorkflowExecution'
import { reconciliationAttemptFailed } from '../../../../invokeai/reconciliation'
import { reconcileQueueItem, workflowExecutionReducer } from './helpers'
import { copyOf, nodeOf } from '../../model/tests/builders'
import { emptyTrie, trieHas } from '../../model/structures/hashTrie'
import { emptyDecisionRing, recentDecisions } from '../../model/decisions'
import { createInitialState, type WorkflowExecutionState } from '../state'
import {
  completeAction,
  progressAction,
  reconciled,
  reduce,
  runActions,
  snapshotOf,
  startedAction,
  statusChanged,
} from './helpers'
import { nodesOf } from '../../model/read'
import { itemOf } from '../..'

const running = (...itemIds: number[]) =>
  itemIds.flatMap((itemId) => [
    statusChanged(itemId, 'in_progress', 1),
    startedAction(itemId, `p-${itemId}`, 'node'),
  ])

describe('C1 through the slice: bulk cancel and queue clear', () => {
  it('C1: queue_items_canceled cancels the listed items at once, running copies too, and nothing else', () => {
    let state = reduce(createInitialState(), ...running(46, 47, 48))
    state = reduce(state, queueItemsCanceled(loadFixture('queue_items_canceled.json')))
    for (const itemId of [46, 47]) {
      const item = itemOf(state.items, itemId)
      expect(item?.status).toBe('canceled')
      expect(copyOf(item, `p-${itemId}`)?.status).toBe('canceled')
      expect(nodeOf(item, 'node')?.status).toBe('CANCELED')
      expect(recentDecisions(item!.decisions).at(-1)).toEqual({ rule: 'C1', event: 'cancel', applied: true })
    }
    expect(itemOf(state.items, 48)?.status).toBe('in_progress')
    expect(nodeOf(itemOf(state.items, 48), 'node')?.status).toBe('IN_PROGRESS')
    // Ids the store never tracked are not created.
    expect(
      itemOf(reduce(state, queueItemsCanceled({ queue_id: 'default', canceled_item_ids: [999] })).items, 999),
    ).toBeUndefined()
  })

  it('C1: queue_cleared for every user cancels every non-terminal item; terminal items keep their status', () => {
    let state = reduce(
      createInitialState(),
      ...running(1, 2),
      statusChanged(3, 'pending', 0),
      ...runActions(4, 'failed'),
    )
    state = reduce(state, queueCleared(loadFixture('queue_cleared.json')))
    expect([1, 2, 3].map((id) => itemOf(state.items, id)?.status)).toEqual([
      'canceled',
      'canceled',
      'canceled',
    ])
    expect(nodeOf(itemOf(state.items, 1), 'node')?.status).toBe('CANCELED')
    expect(itemOf(state.items, 4)?.status).toBe('failed')
  })

  it('C1: queue_cleared with a user_id clears that user’s items and the items of an older server without user_id', () => {
    let state = reduce(
      createInitialState(),
      statusChanged(1, 'in_progress', 1, { userId: 'alice' }),
      statusChanged(2, 'in_progress', 1, { userId: 'bob' }),
      statusChanged(3, 'in_progress', 1, { userId: null }),
    )
    state = reduce(state, queueCleared({ queue_id: 'default', user_id: 'alice' }))
    expect(itemOf(state.items, 1)?.status).toBe('canceled')
    expect(itemOf(state.items, 2)?.status).toBe('in_progress')
    expect(itemOf(state.items, 3)?.status).toBe('canceled')
  })

  it('C1: with currentUserId set, an item without user_id belongs to that user only', () => {
    let state = reduce(
      createInitialState({ currentUserId: 'bob' }),
      statusChanged(3, 'in_progress', 1, { userId: null }),
    )
    state = reduce(state, queueCleared({ queue_id: 'default', user_id: 'alice' }))
    expect(itemOf(state.items, 3)?.status).toBe('in_progress')
    state = reduce(state, queueCleared({ queue_id: 'default', user_id: 'bob' }))
    expect(itemOf(state.items, 3)?.status).toBe('canceled')
  })
})

describe('items the store has not seen', () => {
  it('an event for an unknown item creates it (the enqueue response can lose the race)', () => {
    const state = reduce(createInitialState(), completeAction(5, 'p', 'node', 1))
    // A completion is positive evidence that the item runs (I4).
    expect(itemOf(state.items, 5)).toMatchObject({
      itemId: 5,
      status: 'in_progress',
      origin: 'workflows',
      userId: 'system',
    })
    expect(nodeOf(itemOf(state.items, 5), 'node')?.status).toBe('COMPLETED')
  })

  it('a redacted companion introduces nothing, and says nothing about a tracked item', () => {
    const companion = loadFixture<Record<string, unknown>>(
      'queue_item_status_changed.sanitized_companion.json',
    )
    const empty = createInitialState()
    expect(reduce(empty, socketEventActions.queue_item_status_changed(companion as never)).items).toBe(
      empty.items,
    )
    const tracked = reduce(empty, statusChanged(42, 'in_progress', 1))
    const after = reduce(tracked, socketEventActions.queue_item_status_changed(companion as never))
    expect(itemOf(after.items, 42)?.status).toBe('in_progress')
  })

  it('a reconciliation result for an item never tracked introduces nothing', () => {
    const empty = createInitialState()
    expect(reduce(empty, ...reconciled(9, 'req', snapshotOf(9, 'completed'))).items).toBe(empty.items)
  })

  it('batch_enqueued and queue_items_retried change nothing (no item ids; retries are new rows)', () => {
    const state = reduce(createInitialState(), ...runActions(43, 'failed'))
    expect(reduce(state, socketEventActions.batch_enqueued(loadFixture('batch_enqueued.json')))).toBe(state)
    expect(
      reduce(state, socketEventActions.queue_items_retried(loadFixture('queue_items_retried.json'))),
    ).toBe(state)
  })
})

describe('reconciliation through the slice', () => {
  it('R1 via the thunk’s actions: a failed item takes the persisted word and settles', () => {
    let state = createInitialState()
    for (const [name, payload] of sequences.item43())
      state = reduce(state, socketEventActions[name](payload as never))
    state = reduce(state, ...reconciled(43, 'req-1', persisted.item43()))
    const item = itemOf(state.items, 43)
    expect(item?.status).toBe('failed')
    expect(item?.settled).toBe(true)
    expect(nodeOf(item, '4b6d8f0a-2c4e-4a6c-8e0a-b2d4f6a8c0e2')?.status).toBe('FAILED')
    expect(nodeOf(item, '8e2f4a6c-1b3d-4e5f-9a7b-c9d1e3f5a7b9')?.status).toBe('COMPLETED')
  })

  it('R4 via the thunk’s actions: a slow answer of a superseded request writes nothing', () => {
    let state = reduce(
      createInitialState(),
      statusChanged(1, 'in_progress', 1),
      statusChanged(1, 'canceled', 2),
    )
    state = reduce(
      state,
      reconcileQueueItem.pending('old', { itemId: 1 }),
      reconcileQueueItem.pending('new', { itemId: 1 }),
    )
    const before = itemOf(state.items, 1)
    state = reduce(
      state,
      reconcileQueueItem.fulfilled({ kind: 'snapshot', snapshot: snapshotOf(1, 'completed') }, 'old', {
        itemId: 1,
      }),
    )
    expect(itemOf(state.items, 1)?.status).toBe('canceled')
    expect(itemOf(state.items, 1)?.reconciliation).toEqual(before?.reconciliation)
    expect(itemOf(state.items, 1)?.settled).toBe(false)
  })

  it('R5 via the thunk’s actions: attempts are counted, giving up settles a terminal item, abort only records', () => {
    let state = reduce(
      createInitialState(),
      ...runActions(1, 'canceled'),
      reconcileQueueItem.pending('r', { itemId: 1 }),
    )
    state = reduce(
      state,
      reconciliationAttemptFailed({ itemId: 1, requestId: 'r', attempt: 1, error: 'HTTP 500' }),
    )
    expect(itemOf(state.items, 1)?.reconciliation).toMatchObject({
      phase: 'failed',
      attempts: 1,
      lastError: 'HTTP 500',
    })
    const abort = Object.assign(new Error('disconnected'), { name: 'AbortError' })
    const aborted = reduce(state, reconcileQueueItem.rejected(abort, 'r', { itemId: 1 }))
    expect(itemOf(aborted.items, 1)?.reconciliation).toMatchObject({ phase: 'aborted', attempts: 1 })
    expect(itemOf(aborted.items, 1)?.settled).toBe(false)
    // condition() said no: the thunk never ran, nothing is recorded.
    const skipped = Object.assign(new Error('skipped'), { name: 'ConditionError' })
    expect(reduce(state, reconcileQueueItem.rejected(skipped, 'other', { itemId: 1 }))).toBe(state)
    state = reduce(
      state,
      reconcileQueueItem.rejected(new Error('x'), 'r', { itemId: 1 }, { error: 'HTTP 500', attempts: 4 }),
    )
    expect(itemOf(state.items, 1)?.reconciliation).toMatchObject({ phase: 'gave_up', lastError: 'HTTP 500' })
    expect(itemOf(state.items, 1)?.settled).toBe(true)
  })
})

describe('delivery bookkeeping and batching', () => {
  const delivered = (itemId: number, preparedId: string) =>
    invocationOutputReceived({
      itemId,
      preparedId,
      sourceNodeId: 'node',
      output: { type: 'integer_output', value: 1 },
      origin: 'workflows',
      destination: 'gallery',
      invocationType: 'add',
      isIntermediate: false,
      userId: null,
      via: 'socket',
    })

  it('a socket completion records its delivery in the same dispatch; the engine’s own output action after it changes nothing, a hand-dispatched one is decided by O1/O2', () => {
    const running = reduce(createInitialState(), statusChanged(1, 'in_progress', 1))
    const state = reduce(running, completeAction(1, 'p-1', 'node', 1))
    expect(copyOf(itemOf(state.items, 1), 'p-1')?.delivered).toBe(true)
    // The engine's own announcement carries meta.recorded: it was recorded with the completion.
    expect(reduce(state, { ...delivered(1, 'p-1'), meta: { recorded: true } })).toBe(state)
    // By hand, again: ignored with O2, nothing but the decision recorded.
    const again = reduce(state, delivered(1, 'p-1'))
    expect(itemOf(again.items, 1)?.copies).toBe(itemOf(state.items, 1)?.copies)
    expect(recentDecisions(itemOf(again.items, 1)?.decisions ?? emptyDecisionRing()).at(-1)).toEqual({
      rule: 'O2',
      event: 'deliver',
      applied: false,
    })
    // An item the engine does not track: N1, nothing at all.
    expect(reduce(state, delivered(99, 'p-1'))).toBe(state)
    // A hand-dispatched delivery of an id the item has no copy for is recorded once, as an orphan's (O1).
    const orphan = reduce(state, delivered(1, 'orphan-1'))
    expect(trieHas(itemOf(orphan.items, 1)?.deliveredOrphans ?? emptyTrie(), 'orphan-1')).toBe(true)
    const twice = reduce(orphan, delivered(1, 'orphan-1'))
    expect(itemOf(twice.items, 1)?.deliveredOrphans).toBe(itemOf(orphan.items, 1)?.deliveredOrphans)
  })

  it('marks progress, the high-frequency event, for auto-batching', () => {
    expect(progressAction(1, 'p', 'node', 0.1).meta).toMatchObject({ [SHOULD_AUTOBATCH]: true })
  })
})

describe('serializable state and actions', () => {
  afterEach(() => vi.restoreAllMocks())

  function everyKindOfAction(): UnknownAction[] {
    const actions: UnknownAction[] = []
    for (const [name, payload] of [
      ...sequences.item42(),
      ...sequences.item42DuplicateTail(),
      ...sequences.item43(),
    ]) {
      actions.push(socketEventActions[name](payload as never))
    }
    actions.push(
      socketConnected(),
      progressAction(43, 'x', 'node', 0.2),
      ...reconciled(42, 'req-42', persisted.item42()),
      reconcileQueueItem.pending('req-43', { itemId: 43 }),
      reconciliationAttemptFailed({ itemId: 43, requestId: 'req-43', attempt: 1, error: 'HTTP 503' }),
      reconcileQueueItem.rejected(
        new Error('HTTP 500'),
        'req-43',
        { itemId: 43 },
        { error: 'HTTP 500', attempts: 4 },
      ),
      invocationOutputReceived({
        itemId: 42,
        preparedId: 'b6e4d5f7-8a9c-4d0e-9f2a-3b4c5d6e7f80',
        sourceNodeId: 'a7c3e1f9-2b4d-4f6a-8c0e-9d1b3f5a7c2e',
        output: { type: 'integer_output', value: 11 },
        origin: 'workflows',
        destination: 'gallery',
        invocationType: 'add',
        isIntermediate: false,
        userId: null,
        via: 'socket',
      }),
      socketEventActions.queue_items_canceled(loadFixture('queue_items_canceled.json')),
      socketEventActions.queue_cleared(loadFixture('queue_cleared.json')),
      eventRejected({
        event: 'invocation_progress',
        issues: [{ path: 'item_id', message: 'bad' }],
        preview: '{}',
      }),
      socketDisconnected(),
    )
    return actions
  }

  it('passes RTK’s serializable and immutability checks in a real store, over every kind of action', () => {
    const warnings = vi.spyOn(console, 'warn')
    const consoleErrors = vi.spyOn(console, 'error')
    // The dev checks stay on; only their slowness warning (timing, on a loaded machine) is silenced.
    const store = configureStore({
      reducer: { workflowExecution: createWorkflowExecution({ maxItems: 1 }).reducer },
      middleware: (getDefaultMiddleware) =>
        getDefaultMiddleware({
          immutableCheck: { warnAfter: 60_000 },
          serializableCheck: { warnAfter: 60_000 },
        }),
    })
    for (const action of everyKindOfAction()) {
      expect(findNonSerializableValue(action), action.type).toBe(false)
      expect(() => store.dispatch(action)).not.toThrow()
      expect(findNonSerializableValue(store.getState()), action.type).toBe(false)
    }
    expect(consoleErrors).not.toHaveBeenCalled()
    expect(warnings).not.toHaveBeenCalled()
    const state: WorkflowExecutionState = store.getState().workflowExecution
    expect(state.items.ids.length).toBeLessThanOrEqual(1)
    expect(state.connected).toBe(false)
    // Control: the check is really on, and the spy would have seen a violation.
    consoleErrors.mockImplementation(() => undefined)
    store.dispatch({ type: 'host/somethingElse', payload: new Map() })
    expect(consoleErrors).toHaveBeenCalled()
  })

  it('a node id such as __proto__ stays a plain, serializable key', () => {
    const store = configureStore({ reducer: { workflowExecution: workflowExecutionReducer } })
    store.dispatch(statusChanged(1, 'in_progress', 1))
    store.dispatch(startedAction(1, '__proto__', '__proto__'))
    store.dispatch(completeAction(1, 'constructor', 'constructor', 2))
    const item = itemOf(store.getState().workflowExecution.items, 1)
    expect(Object.keys(nodesOf(item))).toEqual(['__proto__', 'constructor'])
    expect(nodeOf(item, '__proto__' as string)?.status).toBe('IN_PROGRESS')
    expect(findNonSerializableValue(store.getState())).toBe(false)
  })
})
