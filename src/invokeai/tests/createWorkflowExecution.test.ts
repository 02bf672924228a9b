import {
  combineSlices,
  configureStore,
  createSlice,
  type Reducer,
  type UnknownAction,
} from '@reduxjs/toolkit'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { complete, imageResult, persistedItem, started, statusChanged } from '../../../test/helpers/wire'
import { createMockSocket } from '../../testing'
import { createWorkflowExecution } from '../createWorkflowExecution'
import { invocationOutputReceived } from '../../features/workflowExecution/slice/actions'
import { queueCleared } from '../slice/actions'
import {
  selectNodeExecutionState,
  selectQueueItemExecution,
} from '../../features/workflowExecution/slice/selectors'
import type { WorkflowExecution, WorkflowExecutionOptions } from '../types'
import { itemOf } from '../../features/workflowExecution'
import type { WorkflowExecutionState } from '../../features/workflowExecution'

const BASE_URL = 'http://factory.test'
const msw = setupServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterEach(() => msw.resetHandlers())
afterAll(() => msw.close())

const gallerySlice = createSlice({
  name: 'gallery',
  initialState: { images: [] as string[] },
  reducers: {},
  extraReducers: (builder) =>
    builder.addCase(invocationOutputReceived, (state, action) => {
      const { output } = action.payload
      if (output.type === 'image_output')
        state.images.push((output.image as { image_name: string }).image_name)
    }),
})

/** A run of item 1: node `n` completes with an image, the item completes, the server holds the same. */
function runOne(socket: ReturnType<typeof createMockSocket>) {
  socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1))
  socket.serverPush('invocation_started', started({ itemId: 1 }, 'p', 'n'))
  socket.serverPush('invocation_complete', complete({ itemId: 1 }, 'p', 'n', imageResult('one.png')))
  socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 1 }, 'completed', 2))
}

function serve(
  item = persistedItem({ itemId: 1 }, 'completed', 2, [
    { preparedId: 'p', sourceId: 'n', result: imageResult('one.png') },
  ]),
) {
  const asked: number[] = []
  msw.use(
    http.get(`${BASE_URL}/api/v1/queue/:queueId/i/:itemId`, ({ params }) => {
      asked.push(Number(params.itemId))
      return HttpResponse.json(item as unknown as Record<string, unknown>)
    }),
  )
  return asked
}

async function settled(execution: WorkflowExecution) {
  for (let spins = 0; spins < 200; spins += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2))
    if (execution.inFlightCount() === 0 && spins > 2) return
  }
  throw new Error('reconciliation did not settle')
}

// Hydration on connect has its own scenarios (test/engine.hydration.test.ts).
const options: WorkflowExecutionOptions = {
  baseUrl: BASE_URL,
  canceledReconcileDelayMs: 0,
  backoffMs: 1,
  hydrate: false,
}

describe('createWorkflowExecution: one engine from one options object', () => {
  it('every option is in the reducer’s initial state, before any action', () => {
    const execution = createWorkflowExecution({
      ...options,
      queueId: 'q2',
      maxItems: 7,
      maxEvictedIds: 9,
      reconcileOrigins: ['workflows'],
      hydrate: { recentItems: 50 },
      currentUserId: 'alice',
    })
    const state = execution.reducer(undefined, { type: '@@INIT' })
    expect(state.config).toEqual({
      baseUrl: BASE_URL,
      queueId: 'q2',
      maxItems: 7,
      maxEvictedIds: 9,
      reconcileOrigins: ['workflows'],
      currentUserId: 'alice',
      // Hydration asks for at most maxItems recent items.
      hydrateRecentItems: 7,
    })
    expect(execution.getInitialState()).toBe(state)
    expect(execution.reducerPath).toBe('workflowExecution')
  })

  it('the current user holds for the very first action: bob clearing the queue leaves an older server’s item to alice', () => {
    const execution = createWorkflowExecution({ ...options, currentUserId: 'alice', reconcileOrigins: [] })
    const store = configureStore({
      reducer: { [execution.reducerPath]: execution.reducer },
      preloadedState: {
        workflowExecution: execution.reducer(
          undefined,
          execution.actions.queueItemStatusChanged(
            statusChanged({ itemId: 5, userId: null }, 'in_progress', 1) as never,
          ),
        ),
      },
      middleware: (getDefault) => getDefault().concat(execution.middleware),
    })
    store.dispatch(queueCleared({ timestamp: 1, queue_id: 'default', user_id: 'bob' }))
    expect(selectQueueItemExecution(store.getState(), 5)?.status).toBe('in_progress')
    store.dispatch(queueCleared({ timestamp: 2, queue_id: 'default', user_id: 'alice' }))
    expect(selectQueueItemExecution(store.getState(), 5)?.status).toBe('canceled')
    execution.close()
  })

  it('the socket binding subscribes to the queue of the options', () => {
    const execution = createWorkflowExecution({ ...options, queueId: 'night-queue' })
    const store = configureStore({ reducer: { workflowExecution: execution.reducer } })
    const socket = createMockSocket()
    const unbind = execution.bindSocket(socket, store.dispatch)
    socket.connect()
    expect(socket.emitted).toEqual([['subscribe_queue', { queue_id: 'night-queue' }]])
    expect(store.getState().workflowExecution.connected).toBe(true)
    unbind()
    expect(socket.listenerCount('invocation_complete')).toBe(0)
  })

  type Mount = (execution: WorkflowExecution) => Reducer
  const mounts: [string, Mount][] = [
    [
      'a reducer map in configureStore',
      (execution) => (state, action) => ({
        gallery: gallerySlice.reducer((state as { gallery?: never } | undefined)?.gallery, action),
        [execution.reducerPath]: execution.reducer(
          (state as Record<string, never> | undefined)?.[execution.reducerPath],
          action,
        ),
      }),
    ],
    ['combineSlices', (execution) => combineSlices(gallerySlice, execution)],
    ['combineSlices(…).inject', (execution) => combineSlices(gallerySlice).inject(execution)],
    ['execution.injectInto', (execution) => execution.injectInto(combineSlices(gallerySlice))],
  ]

  it.each(mounts)(
    'mounted with %s, it runs the same reducer and reconciles to the same state',
    async (_how, mount) => {
      const asked = serve()
      const execution = createWorkflowExecution(options)
      const store = configureStore({
        reducer: mount(execution),
        middleware: (getDefault) => getDefault().concat(execution.middleware),
      })
      const socket = createMockSocket()
      execution.bindSocket(socket, store.dispatch)
      socket.connect()
      runOne(socket)
      await settled(execution)
      const state = store.getState() as { workflowExecution: never; gallery: { images: string[] } }
      expect(asked).toEqual([1])
      expect(selectNodeExecutionState(state, 1, 'n')?.status).toBe('COMPLETED')
      expect(selectQueueItemExecution(state, 1)?.settled).toBe(true)
      // The engine's own reducer, not an immer path: what it builds is frozen plain data.
      expect(Object.isFrozen(selectQueueItemExecution(state, 1))).toBe(true)
      expect(state.gallery.images).toEqual(['one.png'])
      execution.close()
    },
  )

  it('the same actions give the same state whichever way the reducer is mounted', () => {
    const execution = createWorkflowExecution(options)
    const actions: UnknownAction[] = [
      execution.actions.queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1) as never),
      execution.actions.invocationStarted(started({ itemId: 1 }, 'p', 'n') as never),
      execution.actions.invocationComplete(complete({ itemId: 1 }, 'p', 'n', imageResult('a.png')) as never),
    ]
    const finals = mounts.map(([, mount]) => {
      const reducer = mount(execution)
      return actions.reduce((state, action) => reducer(state, action), reducer(undefined, { type: '@@INIT' }))
    })
    for (const final of finals.slice(1)) expect(final.workflowExecution).toEqual(finals[0].workflowExecution)
  })
})

describe('the reconciliation thunk of an engine', () => {
  it('uses the host’s fetcher, with the store’s dispatch and getState', async () => {
    const requests: { queueId: string; itemId: number; hasDispatch: boolean; phase: unknown }[] = []
    const execution = createWorkflowExecution({
      ...options,
      queueId: 'q',
      fetchQueueItem: async ({ queueId, itemId, dispatch, getState }) => {
        const state = getState() as { workflowExecution: WorkflowExecutionState }
        const phase = itemOf(state.workflowExecution.items, itemId)?.reconciliation.phase
        requests.push({ queueId, itemId, hasDispatch: typeof dispatch === 'function', phase })
        return null
      },
    })
    const store = configureStore({
      reducer: { workflowExecution: execution.reducer },
      middleware: (getDefault) => getDefault().concat(execution.middleware),
    })
    store.dispatch(
      execution.actions.queueItemStatusChanged(statusChanged({ itemId: 3 }, 'in_progress', 1) as never),
    )
    const result = await store.dispatch(execution.reconcileQueueItem({ itemId: 3 }))
    expect(execution.reconcileQueueItem.fulfilled.match(result)).toBe(true)
    expect(execution.reconcileQueueItem.settled(result)).toBe(true)
    expect(requests).toEqual([{ queueId: 'q', itemId: 3, hasDispatch: true, phase: 'pending' }])
    // 404: the item is gone, so it is canceled and settled (R3).
    expect(selectQueueItemExecution(store.getState(), 3)?.status).toBe('canceled')
    execution.close()
  })

  it('a request the host dispatched itself is aborted when a newer one supersedes it, and by its own .abort()', async () => {
    const signals: AbortSignal[] = []
    const execution = createWorkflowExecution({
      ...options,
      fetchQueueItem: ({ signal }) => {
        signals.push(signal)
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        )
      },
    })
    const store = configureStore({
      reducer: { workflowExecution: execution.reducer },
      middleware: (getDefault) => getDefault().concat(execution.middleware),
    })
    store.dispatch(
      execution.actions.queueItemStatusChanged(statusChanged({ itemId: 4 }, 'in_progress', 1) as never),
    )
    const first = store.dispatch(execution.reconcileQueueItem({ itemId: 4 }))
    const second = store.dispatch(execution.reconcileQueueItem({ itemId: 4 }))
    const firstResult = await first
    expect(execution.reconcileQueueItem.rejected.match(firstResult) && firstResult.meta.aborted).toBe(true)
    expect(signals[0]?.aborted).toBe(true)
    expect(execution.inFlightCount()).toBe(1)
    second.abort('host changed its mind')
    const secondResult = await second
    expect(execution.reconcileQueueItem.rejected.match(secondResult) && secondResult.meta.aborted).toBe(true)
    expect(execution.inFlightCount()).toBe(0)
    expect(selectQueueItemExecution(store.getState(), 4)?.reconciliation.phase).toBe('aborted')
    execution.close()
  })

  it('a signal passed when dispatching aborts it, and close() aborts what is left', async () => {
    const execution = createWorkflowExecution({
      ...options,
      fetchQueueItem: ({ signal }) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    })
    const store = configureStore({
      reducer: { workflowExecution: execution.reducer },
      middleware: (getDefault) => getDefault().concat(execution.middleware),
    })
    store.dispatch(
      execution.actions.queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1) as never),
    )
    store.dispatch(
      execution.actions.queueItemStatusChanged(statusChanged({ itemId: 2 }, 'in_progress', 1) as never),
    )
    const controller = new AbortController()
    const bySignal = store.dispatch(
      execution.reconcileQueueItem({ itemId: 1 }, { signal: controller.signal }),
    )
    const byClose = store.dispatch(execution.reconcileQueueItem({ itemId: 2 }))
    controller.abort()
    expect((await bySignal).meta.requestStatus).toBe('rejected')
    execution.close()
    const closed = await byClose
    expect(execution.reconcileQueueItem.rejected.match(closed) && closed.meta.aborted).toBe(true)
    expect(execution.inFlightCount()).toBe(0)
  })
})
