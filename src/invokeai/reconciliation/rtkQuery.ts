import type { ThunkAction, UnknownAction } from '@reduxjs/toolkit'
import { HttpStatusError } from './fetchQueueItem'
import type { FetchQueueItem } from './types'

/** What an RTK Query `initiate` resolves with. */
export interface QueueItemQueryResult {
  data?: unknown
  error?: unknown
}

/** The running query an RTK Query `initiate` returns: awaitable and abortable. */
export interface QueueItemQuery extends PromiseLike<QueueItemQueryResult> {
  abort(): void
}

/** The part of an RTK Query query endpoint (`api.endpoints.getQueueItem`) the engine uses. */
export interface QueueItemEndpoint<Arg> {
  initiate(
    arg: Arg,
    options: { subscribe: false; forceRefetch: true },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): ThunkAction<QueueItemQuery, any, any, UnknownAction>
}

function statusOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined
}

/**
 * A fetcher that reconciles through the host's own RTK Query endpoint, as InvokeAI does
 * (`initiate(id, { subscribe: false, forceRefetch: true })`): its cache, auth and base query apply. A 404
 * answer means the item is gone; any other error is retried; an abort aborts the query.
 * @example
 * const execution = createWorkflowExecution({
 *   fetchQueueItem: fetchQueueItemFromEndpoint(queueApi.endpoints.getQueueItem),
 * })
 */
export function fetchQueueItemFromEndpoint(endpoint: QueueItemEndpoint<number>): FetchQueueItem
export function fetchQueueItemFromEndpoint<Arg>(
  endpoint: QueueItemEndpoint<Arg>,
  toArg: (request: { queueId: string; itemId: number }) => Arg,
): FetchQueueItem
export function fetchQueueItemFromEndpoint<Arg>(
  endpoint: QueueItemEndpoint<Arg>,
  toArg: (request: { queueId: string; itemId: number }) => Arg = ({ itemId }) => itemId as Arg,
): FetchQueueItem {
  return async ({ queueId, itemId, signal, dispatch }) => {
    const query = dispatch(
      endpoint.initiate(toArg({ queueId, itemId }), { subscribe: false, forceRefetch: true }),
    )
    const onAbort = () => query.abort()
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
    try {
      const result = await query
      if (result.error === undefined) return result.data
      const status = statusOf(result.error)
      if (status === 404) return null
      if (typeof status === 'number') throw new HttpStatusError(status)
      throw new Error(
        `query failed: ${String(status ?? (result.error as { name?: unknown }).name ?? 'error')}`,
      )
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }
}
