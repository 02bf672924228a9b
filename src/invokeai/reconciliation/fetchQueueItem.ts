import { HttpStatusError } from '../../features/workflowExecution/reconciliation/httpStatusError'
import type { FetchQueueItem } from './types'

export { HttpStatusError }

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
