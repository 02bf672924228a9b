import { createAsyncThunk } from '@reduxjs/toolkit'
import type { ItemMeta, PersistedRun } from '../../features/workflowExecution/model/types'
import { reconciliationAttemptFailed } from '../../features/workflowExecution/reconciliation/actions'
import { abortableDelay, withTimeout } from '../../features/workflowExecution/reconciliation/delay'
import type { InFlightRegistry } from '../../features/workflowExecution/reconciliation/inFlight'
import type {
  ReconcileQueueItemArg,
  EngineReconcileResult,
  EngineReconcileThunk,
  ReconcileThunkConfig,
} from '../../features/workflowExecution/reconciliation/types'
import { itemOf } from '../../features/workflowExecution/slice/items'
import { REDUCER_PATH } from '../../features/workflowExecution/slice/state'
import type { PromptLookup } from '../rest/fetchPrompt'
import { promptMeta } from '../slice/events'

/** Asks the server about one prompt (`GET /api/jobs/{id}`, else `/history/{id}` and `/queue`). */
export type LookupPrompt = (request: {
  promptId: string
  meta: ItemMeta
  signal: AbortSignal
}) => Promise<PromptLookup>

export interface ReconcilePromptServices {
  lookupPrompt: LookupPrompt
  /** Failed attempts retried before giving up (default 3). */
  retries?: number
  /** First wait between attempts, doubled each time up to `maxBackoffMs` (defaults 250 and 5,000). */
  backoffMs?: number
  maxBackoffMs?: number
  /** How often a stopped prompt the server still shows running is asked again (history lags: default 6). */
  lagRetries?: number
  timeoutMs?: number
}

export const RECONCILE_PROMPT = `${REDUCER_PATH}/comfyui/reconcilePrompt` as const

/** What a prompt the server still runs (or queues) says: its status, nothing persisted yet. */
function activeRun(status: 'pending' | 'in_progress', meta: ItemMeta): PersistedRun {
  return {
    status,
    statusSequence: null,
    startedAt: null,
    error: null,
    meta,
    copies: [],
    executionOrder: [],
    nodeIds: [],
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * The ComfyUI reconciliation: the same thunk contract as InvokeAI's (the engine's reducer applies its
 * lifecycle), over ComfyUI's REST. History can lag the terminal frame (a stopped prompt may still show
 * running, or nowhere), so a stopped item that the server shows running is asked again with backoff, and
 * "held nowhere" counts only when two reads in a row say it: a prompt deleted while pending, a cleared
 * queue, a restart. Silence alone never settles an item.
 */
export function createReconcilePrompt(
  services: ReconcilePromptServices,
  inFlight: InFlightRegistry,
): EngineReconcileThunk {
  const { retries = 3, backoffMs = 250, maxBackoffMs = 5_000, lagRetries = 6, timeoutMs = 10_000 } = services
  const wait = (attempt: number) => Math.min(backoffMs * 2 ** (attempt - 1), maxBackoffMs)
  return createAsyncThunk<EngineReconcileResult, ReconcileQueueItemArg, ReconcileThunkConfig>(
    RECONCILE_PROMPT,
    async (arg, api) => {
      inFlight.add(arg.itemId, api.requestId, api)
      try {
        if (arg.delayMs) await abortableDelay(arg.delayMs, api.signal)
        let failures = 0
        let lagged = 0
        let absentOnce = false
        for (;;) {
          const item = itemOf(api.getState()[REDUCER_PATH].items, arg.itemId)
          const promptId = item?.sessionId
          if (!item || !promptId) throw new Error(`item ${arg.itemId} has no prompt id`)
          const attemptSignal = withTimeout(api.signal, timeoutMs)
          let lookup: PromptLookup
          try {
            lookup = await services.lookupPrompt({
              promptId,
              meta: promptMeta(promptId, item.origin),
              signal: attemptSignal.signal,
            })
          } catch (error) {
            if (api.signal.aborted) throw error
            failures += 1
            const message = attemptSignal.signal.aborted
              ? String(attemptSignal.signal.reason)
              : describe(error)
            if (failures > retries) return api.rejectWithValue({ error: message, attempts: failures })
            api.dispatch(
              reconciliationAttemptFailed({
                itemId: arg.itemId,
                requestId: api.requestId,
                attempt: failures,
                error: message,
              }),
            )
            await abortableDelay(wait(failures), api.signal)
            continue
          } finally {
            attemptSignal.dispose()
          }
          if (lookup.kind === 'persisted') return { kind: 'run', run: lookup.run }
          if (lookup.kind === 'absent') {
            if (absentOnce) return { kind: 'gone' }
            absentOnce = true
            await abortableDelay(wait(1), api.signal)
            continue
          }
          absentOnce = false
          // The item stopped here but the server has not written it yet (history lags the frame).
          const stopped =
            item.status === 'completed' || item.status === 'failed' || item.status === 'canceled'
          if (stopped && lagged < lagRetries) {
            lagged += 1
            await abortableDelay(wait(lagged), api.signal)
            continue
          }
          // Still "running" after every ask: no answer for a stopped item (done would stop asking for good).
          if (stopped)
            return api.rejectWithValue({
              error: `the server still shows the prompt ${lookup.status} after ${lagged + 1} reads`,
              attempts: lagged + 1,
            })
          return { kind: 'run', run: activeRun(lookup.status, promptMeta(promptId, item.origin)) }
        }
      } finally {
        inFlight.remove(api.requestId)
      }
    },
    {
      condition: (arg, { getState }) => itemOf(getState()[REDUCER_PATH].items, arg.itemId) !== undefined,
    },
  )
}
