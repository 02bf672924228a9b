import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import {
  selectActiveItemId,
  selectNodeExecutionState,
  selectQueueItemExecution,
  selectQueueItemIds,
  type SessionQueueItem,
} from '../src'
import { BASE_URL } from './helpers/engine'
import { useEngines } from './helpers/harness'
import { imageResult, persistedItem } from './helpers/wire'

const engine = useEngines()

const finished = (itemId: number): SessionQueueItem =>
  persistedItem({ itemId }, 'completed', 2, [
    { preparedId: `p-${itemId}`, sourceId: 'save', result: imageResult(`image-${itemId}.png`) },
  ])
const running = (itemId: number): SessionQueueItem => ({
  ...persistedItem({ itemId }, 'in_progress', 1, []),
  started_at: '2026-08-19 10:15:02.104',
})

describe('what ran before the client connected', () => {
  it('on the first connect the engine asks the server: the running item becomes known and current, recent finished items are settled with their nodes and outputs (via: hydration)', async () => {
    const e = engine({ hydrate: true, items: [finished(1), finished(2), running(3)] })
    await e.settle()
    expect(selectQueueItemIds(e.store.getState())).toEqual([1, 2, 3])
    expect(selectQueueItemExecution(e.store.getState(), 3)?.status).toBe('in_progress')
    expect(selectActiveItemId(e.store.getState(), 'workflows')).toBe(3)
    expect(selectQueueItemExecution(e.store.getState(), 1)).toMatchObject({
      status: 'completed',
      settled: true,
    })
    expect(selectNodeExecutionState(e.store.getState(), 2, 'save')).toMatchObject({ status: 'COMPLETED' })
    expect(e.outputs().map((output) => [output.itemId, output.via])).toEqual([
      [1, 'hydration'],
      [2, 'hydration'],
    ])
    expect(e.queueItems.queueRequests).toEqual(['current', 'item_ids', 'items_by_ids'])
    // Nothing is fetched item by item, and a reconnect delivers nothing twice.
    expect(e.queueItems.requests).toEqual([])
    e.socket.reconnect()
    await e.settle()
    expect(e.outputs()).toHaveLength(2)
  })

  it('a reload (a new store) holds the recent items the server kept, at most `recentItems` of them', async () => {
    const items = Array.from({ length: 64 }, (_, index) => finished(index + 1))
    const e = engine({ hydrate: { recentItems: 5 }, items })
    await e.settle()
    expect(selectQueueItemIds(e.store.getState())).toEqual([60, 61, 62, 63, 64])
  })

  it('an item that finished while the client was away settles on the reconnect with its outputs once', async () => {
    const e = engine({ hydrate: true, items: [running(7)] })
    await e.settle()
    expect(selectQueueItemExecution(e.store.getState(), 7)?.status).toBe('in_progress')
    e.socket.disconnect()
    e.queueItems.setItem(finished(7))
    e.socket.connect()
    await e.settle()
    expect(selectQueueItemExecution(e.store.getState(), 7)).toMatchObject({
      status: 'completed',
      settled: true,
    })
    expect(e.outputs().map((output) => output.preparedId)).toEqual(['p-7'])
  })

  it('a server without these endpoints (404) changes nothing and is not asked again until the next connect', async () => {
    const e = engine({ hydrate: true })
    await e.settle()
    e.msw.use(
      http.get(`${BASE_URL}/api/v1/queue/:queueId/current`, () =>
        HttpResponse.json({ detail: 'Not Found' }, { status: 404 }),
      ),
    )
    e.socket.reconnect()
    await e.settle()
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(selectQueueItemIds(e.store.getState())).toEqual([])
    const hydrations = e.actions.filter((action) => action.type.startsWith('workflowExecution/hydrateQueue/'))
    expect(hydrations.map((action) => action.type)).toEqual([
      'workflowExecution/hydrateQueue/pending',
      'workflowExecution/hydrateQueue/fulfilled',
      'workflowExecution/hydrateQueue/pending',
      'workflowExecution/hydrateQueue/fulfilled',
    ])
  })

  it('a failing server (500) is a visible rejected hydration, with no retry; a malformed item in the list is dropped and counted', async () => {
    const e = engine({ hydrate: true, items: [finished(1)] })
    await e.settle()
    e.msw.use(
      http.get(`${BASE_URL}/api/v1/queue/:queueId/current`, () => HttpResponse.json({}, { status: 500 })),
    )
    e.socket.reconnect()
    await e.settle()
    const rejected = e.actions.filter((action) => action.type === 'workflowExecution/hydrateQueue/rejected')
    expect(rejected).toHaveLength(1)
    expect((rejected[0] as { payload?: { error: string } }).payload?.error).toContain('HTTP 500')

    e.msw.resetHandlers()
    e.msw.use(...e.queueItems.handlers)
    e.queueItems.setItem({ ...finished(2), status: 'bogus' } as unknown as SessionQueueItem)
    e.socket.reconnect()
    await e.settle()
    const fulfilled = e.actions
      .filter((action) => action.type === 'workflowExecution/hydrateQueue/fulfilled')
      .at(-1)
    expect((fulfilled as { payload?: { rejected: number } }).payload?.rejected).toBe(1)
    expect(selectQueueItemExecution(e.store.getState(), 2)).toBeUndefined()
  })

  it('with hydrate: false nothing is asked', async () => {
    const e = engine({ hydrate: false, items: [finished(1)] })
    e.socket.reconnect()
    await e.settle()
    expect(e.queueItems.queueRequests).toEqual([])
    expect(selectQueueItemIds(e.store.getState())).toEqual([])
  })
})
