import type { Dispatch, ThunkDispatch, UnknownAction, AsyncThunk } from '@reduxjs/toolkit'
import type {
  EngineReconcileResult,
  EngineReconcileThunk,
  ReconcileThunkConfig,
  RetryOptions,
} from '../../features/workflowExecution/reconciliation/types'
import type { SessionQueueItem } from '../wire/types'

/** What a queue-item fetcher is asked: which item, and the store it may dispatch into (RTK Query). */
export interface FetchQueueItemRequest {
  queueId: string
  itemId: number
  /** Aborts when the request is superseded, its item evicted, the socket disconnects, or it times out. */
  signal: AbortSignal
  /** The host store's dispatch, e.g. to run an RTK Query endpoint's `initiate`. */
  dispatch: ThunkDispatch<unknown, unknown, UnknownAction> & Dispatch
  getState: () => unknown
}

/**
 * Fetches one persisted queue item (`GET /api/v1/queue/{queueId}/i/{itemId}`). Resolves with the response
 * body, or `null` when the server says the item does not exist (404); rejects on anything else (network
 * error, 5xx, malformed body), which is retried.
 * @example
 * const fetchQueueItem: FetchQueueItem = async ({ queueId, itemId, signal }) => {
 *   const response = await fetch(`/api/v1/queue/${queueId}/i/${itemId}`, { signal })
 *   if (response.status === 404) return null
 *   if (!response.ok) throw new HttpStatusError(response.status)
 *   return response.json()
 * }
 */
export type FetchQueueItem = (request: FetchQueueItemRequest) => Promise<unknown>

/**
 * What an InvokeAI reconciliation found: the persisted queue item as the server returned it (validated),
 * or that the server no longer has it; or a run already mapped to the model's PersistedRun.
 */
export type ReconcileQueueItemResult =
  { kind: 'snapshot'; snapshot: SessionQueueItem } | EngineReconcileResult

/**
 * The reconciliation thunk one engine builds with the host's fetcher: dispatch it to ask the server about
 * an item now; match its actions with `.pending` / `.fulfilled` / `.rejected` / `.settled`; abort it
 * through the promise's `.abort()` or a `signal` passed when dispatching.
 * @example
 * const request = store.dispatch(execution.reconcileQueueItem({ itemId: 42 }))
 * request.abort()
 */
export type ReconcileQueueItemThunk = EngineReconcileThunk<ReconcileQueueItemResult>

/** How the engine fetches queue items: the default `fetch` (with headers) or the host's own fetcher. */
export interface ReconcileServices extends RetryOptions {
  /** The host's fetcher (e.g. through its RTK Query endpoint); default: `fetch` against `baseUrl`. */
  fetchQueueItem?: FetchQueueItem
  /** Headers of the default fetch, e.g. `{ Authorization: 'Bearer …' }` for a multi-user server. */
  headers?: Record<string, string>
}

/** What a queue fetcher is asked on connect: the queue, how many recent items, and the host store. */
export interface FetchQueueSnapshotRequest {
  queueId: string
  /** How many of the most recent items to fetch (besides the current one). */
  limit: number
  signal: AbortSignal
  dispatch: ThunkDispatch<unknown, unknown, UnknownAction> & Dispatch
  getState: () => unknown
}

/**
 * Fetches what the server holds: the item it runs now (`null` if none) and the most recent items, as
 * response bodies; `null` when the server has no such endpoints (404). Rejects on anything else.
 */
export type FetchQueueSnapshot = (
  request: FetchQueueSnapshotRequest,
) => Promise<{ current: unknown; items: unknown[] } | null>

export interface HydrateQueueArg {
  limit: number
}

/** What hydration found: validated items (`rejected` counts the malformed ones it dropped). */
export interface HydrateQueueResult {
  /** False when the server has no such endpoints. */
  supported: boolean
  current: SessionQueueItem | null
  items: SessionQueueItem[]
  rejected: number
}

export type HydrateQueueThunk = AsyncThunk<HydrateQueueResult, HydrateQueueArg, ReconcileThunkConfig>

/** How the engine learns what ran before it connected. */
export interface HydrationServices {
  /** The host's fetcher; default: InvokeAI's REST endpoints against `baseUrl`. */
  fetchQueueSnapshot?: FetchQueueSnapshot
  headers?: Record<string, string>
  timeoutMs?: number
}
