import { combineSlices, configureStore, type Reducer } from '@reduxjs/toolkit'
import { describe, expectTypeOf, it } from 'vitest'
import {
  createExecutionStore,
  createWorkflowExecution,
  invocationOutputReceived,
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectNodeExecutionState,
  selectQueueItemExecution,
  selectQueueItems,
  type ExecutionStore,
  type InvocationOutputReceivedPayload,
  type NodeExecutionState,
  type QueueItemExecution,
  type ReconcileQueueItemResult,
  type WorkflowExecutionState,
} from '../..'

describe('types of the factory', () => {
  const execution = createWorkflowExecution({ baseUrl: '', maxItems: 10 })

  it('gives a reducer path literal and a reducer of the engine’s state', () => {
    expectTypeOf(execution.reducerPath).toEqualTypeOf<'workflowExecution'>()
    expectTypeOf(execution.reducer).toEqualTypeOf<Reducer<WorkflowExecutionState>>()
  })

  it('mounts in configureStore and combineSlices with a typed root state', () => {
    const rootReducer = combineSlices(execution)
    const store = configureStore({
      reducer: rootReducer,
      middleware: (getDefault) => getDefault().concat(execution.middleware),
    })
    expectTypeOf(store.getState().workflowExecution).toEqualTypeOf<WorkflowExecutionState>()
    const result = store.dispatch(execution.reconcileQueueItem({ itemId: 1 }))
    expectTypeOf(result.abort).toBeFunction()
    expectTypeOf(result.requestId).toBeString()
    void result.then((action) => {
      if (execution.reconcileQueueItem.fulfilled.match(action))
        expectTypeOf(action.payload).toEqualTypeOf<ReconcileQueueItemResult>()
    })
  })

  it('types the host’s listeners on the engine’s actions', () => {
    execution.startListening({
      actionCreator: invocationOutputReceived,
      effect: (action) => {
        expectTypeOf(action.payload).toEqualTypeOf<InvocationOutputReceivedPayload>()
      },
    })
    const startAppListening = execution.startListening.withTypes<{
      workflowExecution: WorkflowExecutionState
      gallery: string[]
    }>()
    startAppListening({
      actionCreator: invocationOutputReceived,
      effect: (_action, api) => {
        expectTypeOf(api.getState().gallery).toEqualTypeOf<string[]>()
      },
    })
  })

  it('rejects options of the wrong type', () => {
    // @ts-expect-error maxItems is a number
    createWorkflowExecution({ maxItems: '10' })
    const twoArguments = (queueId: string, itemId: number) => Promise.resolve([queueId, itemId])
    // @ts-expect-error a fetcher takes one request object
    createWorkflowExecution({ fetchQueueItem: twoArguments })
  })
})

describe('types of the selectors and the ready store', () => {
  const store = createExecutionStore({ reducers: { theme: (state: string = 'dark') => state } })
  const state = store.getState()

  it('select stored objects, or undefined', () => {
    expectTypeOf(selectQueueItemExecution(state, 1)).toEqualTypeOf<QueueItemExecution | undefined>()
    expectTypeOf(selectNodeExecutionState(state, 1, 'n')).toEqualTypeOf<NodeExecutionState | undefined>()
    expectTypeOf(selectActiveItemId(state, 'workflows')).toEqualTypeOf<number | undefined>()
    expectTypeOf(selectActiveNodeExecutionState(state, 'workflows', 'n')).toEqualTypeOf<
      NodeExecutionState | undefined
    >()
    expectTypeOf(selectQueueItems(state)).toEqualTypeOf<QueueItemExecution[]>()
  })

  it('keeps the host’s reducers in the root state', () => {
    expectTypeOf(state.theme).toEqualTypeOf<string>()
    expectTypeOf(store).toExtend<ExecutionStore<typeof state>>()
    // @ts-expect-error a selector needs the engine's slice
    selectQueueItemExecution({ theme: 'dark' }, 1)
  })
})
