import { delay, http, HttpResponse, type HttpHandler } from 'msw'
import type { SessionQueueItem } from '../invokeai/wire/types'

/** What the mocked endpoint answers for one item; by default the stored item, or 404. */
export type QueueItemResponse =
  | { kind: 'item'; item: unknown }
  | { kind: 'status'; status: number; body?: unknown }
  | { kind: 'malformed' }
  | { kind: 'network-error' }
  | { kind: 'hang' }

export interface QueueItemServerOptions {
  /** Server root, e.g. 'http://127.0.0.1:9090'. */
  baseUrl: string
  items?: SessionQueueItem[]
  /**
   * Also serve what the server holds (`GET …/current`, `GET …/item_ids`, `POST …/items_by_ids`) from the
   * same table, as the engine asks on connect (default true; false: 404, an older server).
   */
  queueEndpoints?: boolean
}

export interface QueueItemRequestLog {
  queueId: string
  itemId: number
  aborted: boolean
}

/**
 * msw handlers for `GET {baseUrl}/api/v1/queue/:queueId/i/:itemId` backed by a small in-memory table the
 * test controls: store items, script one-off answers, delay answers, and read which requests were made.
 */
/** A mocked queue-item endpoint and the table behind it. */
export interface QueueItemServer {
  /** Give these to msw's `setupServer(...)` or `server.use(...)`. */
  handlers: HttpHandler[]
  /** Every request made, in order. */
  requests: QueueItemRequestLog[]
  /** Store (or replace) the persisted item the endpoint returns. */
  setItem(item: SessionQueueItem): void
  removeItem(itemId: number): void
  /** The next answers for an item, in order, before it falls back to the stored item. */
  script(itemId: number, ...responses: QueueItemResponse[]): void
  /** Delay every answer for an item. */
  setDelay(itemId: number, ms: number): void
  requestsFor(itemId: number): QueueItemRequestLog[]
  /** Requests to `current`, `item_ids` and `items_by_ids`, by endpoint name, in order. */
  queueRequests: string[]
}

export function createQueueItemServer({
  baseUrl,
  items = [],
  queueEndpoints = true,
}: QueueItemServerOptions): QueueItemServer {
  const table = new Map<number, SessionQueueItem>(items.map((item) => [item.item_id, item]))
  const scripted = new Map<number, QueueItemResponse[]>()
  const delays = new Map<number, number>()
  const requests: QueueItemRequestLog[] = []
  const root = baseUrl.replace(/\/+$/, '')

  const handler = http.get(`${root}/api/v1/queue/:queueId/i/:itemId`, async ({ params, request }) => {
    const itemId = Number(params.itemId)
    const log: QueueItemRequestLog = { queueId: String(params.queueId), itemId, aborted: false }
    requests.push(log)
    request.signal.addEventListener('abort', () => (log.aborted = true), { once: true })
    const wait = delays.get(itemId)
    if (wait) await delay(wait)
    const response: QueueItemResponse = scripted.get(itemId)?.shift() ?? {
      kind: 'item',
      item: table.get(itemId),
    }
    switch (response.kind) {
      case 'item':
        return response.item === undefined
          ? HttpResponse.json({ detail: 'Queue item not found' }, { status: 404 })
          : HttpResponse.json(response.item as Record<string, unknown>)
      case 'status':
        return HttpResponse.json(response.body ?? { detail: `status ${response.status}` }, {
          status: response.status,
        })
      case 'malformed':
        return new HttpResponse('{"item_id": 1, "status": ', {
          headers: { 'Content-Type': 'application/json' },
        })
      case 'network-error':
        return HttpResponse.error()
      case 'hang':
        await delay('infinite')
        return HttpResponse.error()
    }
  })

  const queueRequests: string[] = []
  const notFound = () => HttpResponse.json({ detail: 'Not Found' }, { status: 404 })
  const newestFirst = () => [...table.keys()].sort((a, b) => b - a)
  const queueHandlers = [
    http.get(`${root}/api/v1/queue/:queueId/current`, () => {
      queueRequests.push('current')
      if (!queueEndpoints) return notFound()
      const running = newestFirst()
        .map((id) => table.get(id) as SessionQueueItem)
        .find((item) => item.status === 'in_progress')
      return HttpResponse.json((running ?? null) as Record<string, unknown> | null)
    }),
    http.get(`${root}/api/v1/queue/:queueId/item_ids`, ({ request }) => {
      queueRequests.push('item_ids')
      if (!queueEndpoints) return notFound()
      const ascending = new URL(request.url).searchParams.get('order_dir') === 'ASC'
      const ids = ascending ? newestFirst().reverse() : newestFirst()
      return HttpResponse.json({ item_ids: ids, total_count: ids.length })
    }),
    http.post(`${root}/api/v1/queue/:queueId/items_by_ids`, async ({ request }) => {
      queueRequests.push('items_by_ids')
      if (!queueEndpoints) return notFound()
      const body = (await request.json()) as { item_ids?: unknown }
      const ids = Array.isArray(body.item_ids) ? (body.item_ids as unknown[]) : []
      if (ids.length > 1_000) return HttpResponse.json({ detail: 'too many ids' }, { status: 422 })
      const found = ids.flatMap((id) => {
        const item = typeof id === 'number' ? table.get(id) : undefined
        return item ? [item] : []
      })
      return HttpResponse.json(found as unknown as Record<string, unknown>[])
    }),
  ]

  return {
    handlers: [handler, ...queueHandlers],
    requests,
    queueRequests,
    /** Store (or replace) the persisted item the endpoint returns. */
    setItem(item: SessionQueueItem) {
      table.set(item.item_id, item)
    },
    removeItem(itemId: number) {
      table.delete(itemId)
    },
    /** The next answers for an item, in order, before it falls back to the stored item. */
    script(itemId: number, ...responses: QueueItemResponse[]) {
      scripted.set(itemId, [...(scripted.get(itemId) ?? []), ...responses])
    },
    /** Delay every answer for an item. */
    setDelay(itemId: number, ms: number) {
      delays.set(itemId, ms)
    },
    requestsFor(itemId: number) {
      return requests.filter((request) => request.itemId === itemId)
    },
  }
}
