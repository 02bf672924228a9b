import type { FetchQueueItem } from './types'

/** A non-2xx answer other than 404; a custom fetcher throws it so the retry sees the status. */
export class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`)
    this.name = 'HttpStatusError'
  }
}

/** `GET {baseUrl}/api/v1/queue/{queueId}/i/{itemId}` with the platform `fetch`. */
export function createFetchQueueItem(baseUrl: string, headers?: Record<string, string>): FetchQueueItem {
  const root = baseUrl.replace(/\/+$/, '')
  return async ({ queueId, itemId, signal }) => {
    const response = await fetch(`${root}/api/v1/queue/${encodeURIComponent(queueId)}/i/${itemId}`, {
      signal,
      ...(headers ? { headers } : {}),
    })
    if (response.status === 404) return null
    if (!response.ok) throw new HttpStatusError(response.status)
    return (await response.json()) as unknown
  }
}
