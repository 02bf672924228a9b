import type { SessionQueueItem } from '../wire/types'

/**
 * Fetches one persisted queue item. Resolves with the response body, or `null` when the server says the
 * item does not exist (404); rejects on anything else (network error, 5xx, malformed body).
 */
export type FetchQueueItem = (queueId: string, itemId: number, signal: AbortSignal) => Promise<unknown>

export interface ReconcileQueueItemArg {
  itemId: number
  /** Defaults to the configured queue id. */
  queueId?: string
  /** Wait before the first fetch (a canceled item's last results may be saved a moment late). */
  delayMs?: number
}

export type ReconcileQueueItemResult = { kind: 'snapshot'; snapshot: SessionQueueItem } | { kind: 'gone' }

export interface ReconcileRejection {
  error: string
  attempts: number
}

export interface RetryOptions {
  /** Retries after the first failed attempt (default 3). */
  retries?: number
  /** First backoff delay; doubles per retry up to `maxBackoffMs` (defaults 250 ms and 5 s). */
  backoffMs?: number
  maxBackoffMs?: number
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number
}

export interface ReconcileServices extends RetryOptions {
  fetchQueueItem?: FetchQueueItem
  /** Overrides the configured `baseUrl` of the default fetch. */
  baseUrl?: string
  /** Headers of the default fetch, e.g. `{ Authorization: 'Bearer …' }` for a multi-user server. */
  headers?: Record<string, string>
}
