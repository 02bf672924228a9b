import { itemOf } from '../../features/workflowExecution/slice/items'
import { createAsyncThunk } from '@reduxjs/toolkit'
import { validateSessionQueueItem } from '../wire'
import { REDUCER_PATH } from '../../features/workflowExecution/slice/state'
import { reconciliationAttemptFailed } from '../../features/workflowExecution/reconciliation/actions'
import { abortableDelay, withTimeout } from '../../features/workflowExecution/reconciliation/delay'
import { createFetchQueueItem } from './fetchQueueItem'
import type { InFlightRegistry } from '../../features/workflowExecution/reconciliation/inFlight'
import type {
  ReconcileQueueItemArg,
  ReconcileThunkConfig,
} from '../../features/workflowExecution/reconciliation/types'
import type { ReconcileQueueItemThunk } from './types'
import type { ReconcileQueueItemResult } from './types'
import type { ReconcileServices } from './types'
import type { FetchQueueItemRequest } from './types'

export { reconciliationAttemptFailed } from '../../features/workflowExecution/reconciliation/actions'
export { createFetchQueueItem, HttpStatusError } from './fetchQueueItem'
export {
  createInFlightRegistry,
  type InFlightRegistry,
} from '../../features/workflowExecution/reconciliation/inFlight'
export { createFetchQueueSnapshot, createHydrateQueue, HYDRATE_QUEUE, QUEUE_REQUEST_KEY } from './hydration'
export type * from '../../features/workflowExecution/reconciliation/types'

export const RECONCILE_QUEUE_ITEM = `${REDUCER_PATH}/reconcileQueueItem` as const

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500)
  return String(error).slice(0, 500)
}

/**
 * Builds an engine's reconciliation thunk with the host's fetcher. Every request registers its own
 * `abort` with the engine while it runs, whoever dispatched it, so the listeners can abort it when it is
 * superseded, its item evicted, or the socket disconnects; the reducer applies a result only while its
 * request id is the item's current one (R0-R5).
 */
export function createReconcileQueueItem(
  services: ReconcileServices,
  inFlight: InFlightRegistry,
): ReconcileQueueItemThunk {
  const { retries = 3, backoffMs = 250, maxBackoffMs = 5_000, timeoutMs = 10_000 } = services
  return createAsyncThunk<ReconcileQueueItemResult, ReconcileQueueItemArg, ReconcileThunkConfig>(
    RECONCILE_QUEUE_ITEM,
    async (arg, api) => {
      inFlight.add(arg.itemId, api.requestId, api)
      try {
        const { config } = api.getState()[REDUCER_PATH]
        const fetchQueueItem =
          services.fetchQueueItem ?? createFetchQueueItem(config.baseUrl, services.headers)
        const queueId = arg.queueId ?? config.queueId
        if (arg.delayMs) await abortableDelay(arg.delayMs, api.signal)
        for (let attempt = 1; ; attempt += 1) {
          const attemptSignal = withTimeout(api.signal, timeoutMs)
          try {
            const request: FetchQueueItemRequest = {
              queueId,
              itemId: arg.itemId,
              signal: attemptSignal.signal,
              dispatch: api.dispatch as FetchQueueItemRequest['dispatch'],
              getState: api.getState,
            }
            const body = await fetchQueueItem(request)
            if (body === null) return { kind: 'gone' }
            const checked = validateSessionQueueItem(body)
            if (!checked.ok) {
              const first = checked.issues[0]
              throw new Error(`malformed queue item: ${first?.path ?? ''} ${first?.message ?? ''}`.trim())
            }
            if (checked.value.item_id !== arg.itemId) {
              throw new Error(`response is for item ${checked.value.item_id}, not ${arg.itemId}`)
            }
            return { kind: 'snapshot', snapshot: checked.value }
          } catch (error) {
            // The abort reason may be a plain string: the signal, not the error's type, says it was aborted.
            if (api.signal.aborted) throw error
            const message = attemptSignal.signal.aborted
              ? String(attemptSignal.signal.reason)
              : describe(error)
            if (attempt > retries) return api.rejectWithValue({ error: message, attempts: attempt })
            api.dispatch(
              reconciliationAttemptFailed({
                itemId: arg.itemId,
                requestId: api.requestId,
                attempt,
                error: message,
              }),
            )
            await abortableDelay(Math.min(backoffMs * 2 ** (attempt - 1), maxBackoffMs), api.signal)
          } finally {
            attemptSignal.dispose()
          }
        }
      } finally {
        inFlight.remove(api.requestId)
      }
    },
    {
      // An evicted or never-tracked item has nothing to reconcile.
      condition: (arg, { getState }) => itemOf(getState()[REDUCER_PATH].items, arg.itemId) !== undefined,
    },
  )
}
