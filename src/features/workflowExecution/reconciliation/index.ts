import { createAsyncThunk } from '@reduxjs/toolkit'
import { validateSessionQueueItem } from '../wire'
import type { WorkflowExecutionState } from '../slice/state'
import { reconciliationAttemptFailed } from './actions'
import { abortableDelay, withTimeout } from './delay'
import { createFetchQueueItem } from './fetchQueueItem'
import type {
  ReconcileQueueItemArg,
  ReconcileQueueItemResult,
  ReconcileRejection,
  ReconcileServices,
} from './types'

export { reconciliationAttemptFailed } from './actions'
export { createFetchQueueItem, HttpStatusError } from './fetchQueueItem'
export type * from './types'

export const RECONCILE_QUEUE_ITEM = 'workflowExecution/reconcileQueueItem'

type ThunkConfig = {
  state: { workflowExecution: WorkflowExecutionState }
  rejectValue: ReconcileRejection
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500)
  return String(error).slice(0, 500)
}

/**
 * Builds the reconciliation thunk. Every instance shares one action type, so the reducer applies the
 * results of any of them under the same rules (R0-R5); the listeners build one with the host's fetch.
 */
export function createReconcileQueueItem(services: ReconcileServices = {}) {
  const { retries = 3, backoffMs = 250, maxBackoffMs = 5_000, timeoutMs = 10_000 } = services
  return createAsyncThunk<ReconcileQueueItemResult, ReconcileQueueItemArg, ThunkConfig>(
    RECONCILE_QUEUE_ITEM,
    async (arg, api) => {
      const { config } = api.getState().workflowExecution
      const fetchQueueItem =
        services.fetchQueueItem ?? createFetchQueueItem(services.baseUrl ?? config.baseUrl, services.headers)
      const queueId = arg.queueId ?? config.queueId
      if (arg.delayMs) await abortableDelay(arg.delayMs, api.signal)
      for (let attempt = 1; ; attempt += 1) {
        const attemptSignal = withTimeout(api.signal, timeoutMs)
        try {
          const body = await fetchQueueItem(queueId, arg.itemId, attemptSignal.signal)
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
          const message = attemptSignal.signal.aborted ? String(attemptSignal.signal.reason) : describe(error)
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
    },
    {
      // An evicted or never-tracked item has nothing to reconcile.
      condition: (arg, { getState }) => getState().workflowExecution.items.entities[arg.itemId] !== undefined,
    },
  )
}

/** The reconciliation thunk with the platform `fetch` and the configured `baseUrl`. */
export const reconcileQueueItem = createReconcileQueueItem()
