import { createAsyncThunk } from '@reduxjs/toolkit'
import { REDUCER_PATH } from '../../features/workflowExecution/slice/state'
import { validateSessionQueueItem } from '../wire'
import type { SessionQueueItem } from '../wire/types'
import { withTimeout } from '../../features/workflowExecution/reconciliation/delay'
import { HttpStatusError } from './fetchQueueItem'
import type { InFlightRegistry } from '../../features/workflowExecution/reconciliation/inFlight'
import type { ReconcileThunkConfig } from '../../features/workflowExecution/reconciliation/types'
import type { HydrationServices } from './types'
import type { HydrateQueueThunk } from './types'
import type { HydrateQueueResult } from './types'
import type { HydrateQueueArg } from './types'
import type { FetchQueueSnapshot } from './types'

export const HYDRATE_QUEUE = `${REDUCER_PATH}/hydrateQueue` as const
/** The in-flight registry's key for the queue-wide request (item ids are never negative). */
export const QUEUE_REQUEST_KEY = -1
/** `items_by_ids` takes at most this many ids per request. */
export const MAX_IDS_PER_REQUEST = 1_000

/**
 * What the server holds, over InvokeAI's REST API: `GET …/current`, `GET …/item_ids?order_dir=DESC`, then
 * `POST …/items_by_ids` for the `limit` most recent. Null when the server has no such endpoints (404).
 */
export function createFetchQueueSnapshot(
  baseUrl: string,
  headers?: Record<string, string>,
): FetchQueueSnapshot {
  const root = baseUrl.replace(/\/+$/, '')
  return async ({ queueId, limit, signal }) => {
    const queue = `${root}/api/v1/queue/${encodeURIComponent(queueId)}`
    const get = async (path: string, init: RequestInit = {}) => {
      const response = await fetch(`${queue}${path}`, {
        signal,
        ...init,
        headers: { ...headers, ...init.headers },
      })
      if (response.status === 404) return null
      if (!response.ok) throw new HttpStatusError(response.status)
      return { body: (await response.json()) as unknown }
    }
    const current = await get('/current')
    if (current === null) return null
    const listed = limit > 0 ? await get('/item_ids?order_dir=DESC') : { body: { item_ids: [] } }
    if (listed === null) return { current: current.body, items: [] }
    const ids = (listed.body as { item_ids?: unknown }).item_ids
    const recent = Array.isArray(ids)
      ? ids.filter((id): id is number => Number.isSafeInteger(id)).slice(0, limit)
      : []
    const items: unknown[] = []
    for (let start = 0; start < recent.length; start += MAX_IDS_PER_REQUEST) {
      const page = await get('/items_by_ids', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ item_ids: recent.slice(start, start + MAX_IDS_PER_REQUEST) }),
      })
      if (page === null) break
      if (Array.isArray(page.body)) items.push(...(page.body as unknown[]))
    }
    return { current: current.body, items }
  }
}

/** The order hydration applies and announces items in: oldest first, the running item last (the current run). */
export function hydratedInOrder(result: HydrateQueueResult): SessionQueueItem[] {
  const { current } = result
  const recent = result.items.filter((item) => item.item_id !== current?.item_id).reverse()
  return current ? [...recent, current] : recent
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500)
  return String(error).slice(0, 500)
}

/**
 * Builds an engine's hydration thunk: on connect, the server's current item and its most recent items,
 * validated one by one (a malformed one is dropped and counted), applied by the reducer as snapshots
 * (rows H1-H6). One attempt with a timeout: a server without the endpoints, or one that fails, changes
 * nothing, and the next connect asks again.
 */
export function createHydrateQueue(
  services: HydrationServices,
  inFlight: InFlightRegistry,
): HydrateQueueThunk {
  const { timeoutMs = 10_000 } = services
  return createAsyncThunk<HydrateQueueResult, HydrateQueueArg, ReconcileThunkConfig>(
    HYDRATE_QUEUE,
    async (arg, api) => {
      inFlight.abortItem(QUEUE_REQUEST_KEY, 'superseded')
      inFlight.add(QUEUE_REQUEST_KEY, api.requestId, api)
      const attempt = withTimeout(api.signal, timeoutMs)
      try {
        const { config } = api.getState()[REDUCER_PATH]
        const fetchQueueSnapshot =
          services.fetchQueueSnapshot ?? createFetchQueueSnapshot(config.baseUrl, services.headers)
        const answer = await fetchQueueSnapshot({
          queueId: config.queueId,
          limit: arg.limit,
          signal: attempt.signal,
          dispatch: api.dispatch as Parameters<FetchQueueSnapshot>[0]['dispatch'],
          getState: api.getState,
        })
        if (answer === null) return { supported: false, current: null, items: [], rejected: 0 }
        const valid = (body: unknown): SessionQueueItem | null => {
          const checked = validateSessionQueueItem(body)
          return checked.ok ? checked.value : null
        }
        const current = answer.current === null ? null : valid(answer.current)
        const items = answer.items.map(valid)
        const kept = items.filter((item): item is SessionQueueItem => item !== null)
        const rejected = items.length - kept.length + (answer.current !== null && current === null ? 1 : 0)
        return { supported: true, current, items: kept, rejected }
      } catch (error) {
        if (api.signal.aborted) throw error
        return api.rejectWithValue({
          error: attempt.signal.aborted ? String(attempt.signal.reason) : describe(error),
          attempts: 1,
        })
      } finally {
        attempt.dispose()
        inFlight.remove(api.requestId)
      }
    },
  )
}
