import { delay, http, HttpResponse, type HttpHandler } from 'msw'
import type { SessionQueueItem } from '../features/workflowExecution/wire/types'

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
}

export function createQueueItemServer({ baseUrl, items = [] }: QueueItemServerOptions): QueueItemServer {
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

  return {
    handlers: [handler],
    requests,
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
