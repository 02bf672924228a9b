import { configureStore } from '@reduxjs/toolkit'
import { createApi, fetchBaseQuery } from '@reduxjs/toolkit/query'
import { delay, http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { imageResult, persistedItem, statusChanged } from '../../../../test/helpers/wire'
import { createWorkflowExecution } from '../../createWorkflowExecution'
import { queueItemStatusChanged } from '../../slice/actions'
import { selectQueueItemExecution } from '../../../features/workflowExecution/slice/selectors'
import { fetchQueueItemFromEndpoint } from '../rtkQuery'
import { nodeOf } from '../../../features/workflowExecution/model/read'

const ROOT = 'http://rtkq.test/api/v1/queue/default/'
const msw = setupServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterEach(() => msw.resetHandlers())
afterAll(() => msw.close())

/** The host's own API, as InvokeAI declares its queue endpoints. */
function createQueueApi() {
  return createApi({
    reducerPath: 'queueApi',
    baseQuery: fetchBaseQuery({ baseUrl: ROOT }),
    endpoints: (build) => ({
      getQueueItem: build.query<unknown, number>({ query: (itemId) => `i/${itemId}` }),
    }),
  })
}

/** A host store with its RTK Query API and the engine reconciling through it; item 7 is running. */
function hostStore() {
  const queueApi = createQueueApi()
  const execution = createWorkflowExecution({
    fetchQueueItem: fetchQueueItemFromEndpoint(queueApi.endpoints.getQueueItem),
    backoffMs: 1,
    retries: 2,
  })
  const store = configureStore({
    reducer: { [queueApi.reducerPath]: queueApi.reducer, [execution.reducerPath]: execution.reducer },
    middleware: (getDefault) => getDefault().concat(queueApi.middleware, execution.middleware),
  })
  store.dispatch(queueItemStatusChanged(statusChanged({ itemId: 7 }, 'in_progress', 1) as never))
  return { store, execution }
}

const persisted = persistedItem({ itemId: 7 }, 'completed', 2, [
  { preparedId: 'p', sourceId: 'n', result: imageResult('seven.png') },
])

describe('reconciling through the host’s RTK Query endpoint', () => {
  it('a persisted item is applied, through the endpoint the host declared', async () => {
    const seen: string[] = []
    msw.use(
      http.get(`${ROOT}i/:itemId`, ({ request }) => {
        seen.push(new URL(request.url).pathname)
        return HttpResponse.json(persisted as unknown as Record<string, unknown>)
      }),
    )
    const { store, execution } = hostStore()
    const result = await store.dispatch(execution.reconcileQueueItem({ itemId: 7 }))
    expect(execution.reconcileQueueItem.fulfilled.match(result)).toBe(true)
    expect(seen).toEqual(['/api/v1/queue/default/i/7'])
    const item = selectQueueItemExecution(store.getState(), 7)
    expect(item?.status).toBe('completed')
    expect(nodeOf(item, 'n')?.outputs).toEqual([expect.objectContaining({ type: 'image_output' })])
    execution.close()
  })

  it('404 means the item is gone: canceled and settled, no retry', async () => {
    let calls = 0
    msw.use(
      http.get(`${ROOT}i/:itemId`, () => {
        calls += 1
        return HttpResponse.json({ detail: 'Queue item not found' }, { status: 404 })
      }),
    )
    const { store, execution } = hostStore()
    const result = await store.dispatch(execution.reconcileQueueItem({ itemId: 7 }))
    expect(result.payload).toEqual({ kind: 'gone' })
    expect(calls).toBe(1)
    expect(selectQueueItemExecution(store.getState(), 7)).toMatchObject({ status: 'canceled', settled: true })
    execution.close()
  })

  it('500 is retried, and the next answer wins', async () => {
    let calls = 0
    msw.use(
      http.get(`${ROOT}i/:itemId`, () => {
        calls += 1
        return calls === 1
          ? HttpResponse.json({ detail: 'boom' }, { status: 500 })
          : HttpResponse.json(persisted as unknown as Record<string, unknown>)
      }),
    )
    const { store, execution } = hostStore()
    const result = await store.dispatch(execution.reconcileQueueItem({ itemId: 7 }))
    expect(execution.reconcileQueueItem.fulfilled.match(result)).toBe(true)
    expect(calls).toBe(2)
    expect(selectQueueItemExecution(store.getState(), 7)?.status).toBe('completed')
    execution.close()
  })

  it('a superseded request aborts its RTK Query request: the server sees the abort', async () => {
    const aborted: boolean[] = []
    msw.use(
      http.get(`${ROOT}i/:itemId`, async ({ request }) => {
        const index = aborted.push(false) - 1
        request.signal.addEventListener('abort', () => (aborted[index] = true))
        // The first request hangs until it is aborted; the second answers.
        if (index === 0) await delay('infinite')
        return HttpResponse.json(persisted as unknown as Record<string, unknown>)
      }),
    )
    const { store, execution } = hostStore()
    const first = store.dispatch(execution.reconcileQueueItem({ itemId: 7 }))
    await new Promise((resolve) => setTimeout(resolve, 20))
    const second = store.dispatch(execution.reconcileQueueItem({ itemId: 7 }))
    const [firstResult, secondResult] = await Promise.all([first, second])
    expect(execution.reconcileQueueItem.rejected.match(firstResult) && firstResult.meta.aborted).toBe(true)
    expect(execution.reconcileQueueItem.fulfilled.match(secondResult)).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(aborted).toEqual([true, false])
    expect(selectQueueItemExecution(store.getState(), 7)?.status).toBe('completed')
    execution.close()
  })
})
