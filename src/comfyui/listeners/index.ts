import { isUnresolved } from '../../features/workflowExecution/model/guards'
import { isTerminalStatus } from '../../features/workflowExecution/model/snapshot'
import { trieGet } from '../../features/workflowExecution/model/structures/hashTrie'
import {
  newlyDeliveredOutput,
  newlyDeliveredOutputs,
} from '../../features/workflowExecution/listeners/outputs'
import type {
  EngineListenerApi,
  StartWorkflowExecutionListening,
} from '../../features/workflowExecution/listeners/types'
import type { InFlightRegistry } from '../../features/workflowExecution/reconciliation/inFlight'
import type { EngineReconcileThunk } from '../../features/workflowExecution/reconciliation/types'
import {
  invocationOutputReceived,
  socketConnected,
  socketDisconnected,
} from '../../features/workflowExecution/slice/actions'
import { itemOf, itemsOf } from '../../features/workflowExecution/slice/items'
import type { InvocationOutputReceivedPayload } from '../../features/workflowExecution/slice/types'
import { frameReceived, queueListed, type ListedPrompt } from '../slice/actions'
import { EXECUTION_BLOCKED } from '../slice/events'

/** The frames whose effects the listener runs: an output, the end of a prompt. */
const ENDS_OR_OUTPUTS: ReadonlySet<string | undefined> = new Set([
  'executed',
  'executing',
  'execution_success',
  'execution_error',
  'execution_interrupted',
])

/** What runs and waits on the server now (`GET /queue`). */
export type ListQueue = (signal: AbortSignal) => Promise<ListedPrompt[]>

export interface ComfyListenerServices {
  reconcilePrompt: EngineReconcileThunk
  inFlight: InFlightRegistry
  listQueue: ListQueue
  /**
   * After a terminal frame, wait this long before asking: `executing { node: null }` (sent once history
   * is written) usually comes first and asks at once.
   */
  terminalReconcileDelayMs: number
}

/**
 * The ComfyUI adapter's effects: reconcile a prompt when it ends (`executing { node: null }`, else its
 * terminal frame), re-ask every unresolved prompt and learn the queue on every (re)connect, abort what a
 * newer request, an eviction or a disconnect made void, and announce each output exactly once. State is
 * decided in the reducer; these only fetch, abort and emit.
 */
export function addComfyListeners(
  startListening: StartWorkflowExecutionListening,
  { reconcilePrompt, inFlight, listQueue, terminalReconcileDelayMs }: ComfyListenerServices,
): () => void {
  const announce = (api: EngineListenerApi, payload: InvocationOutputReceivedPayload) =>
    api.dispatch({ ...invocationOutputReceived(payload), meta: { recorded: true } })

  const itemIdOf = (api: EngineListenerApi, promptId: string | null | undefined) =>
    promptId ? trieGet(api.getState().workflowExecution.itemIdByRunKey, promptId) : undefined

  const unsubscribers = [
    startListening({
      // Decided in the predicate: progress and progress_state frames (the frequent ones) run no effect.
      predicate: (action) => frameReceived.match(action) && ENDS_OR_OUTPUTS.has(action.payload?.type),
      effect: (action, api) => {
        if (!frameReceived.match(action)) return
        const frame = action.payload
        if (frame?.type === 'status' || !frame?.data) return
        const itemId = itemIdOf(api, frame.data.prompt_id)
        if (itemId === undefined) return
        const item = itemOf(api.getState().workflowExecution.items, itemId)
        if (!item) return
        if (frame.type === 'executed') {
          const before = itemOf(api.getOriginalState().workflowExecution.items, itemId)
          const payload = newlyDeliveredOutput(before, item, frame.data.node, 'socket')
          if (payload) announce(api, payload)
          return
        }
        // History is written: the one frame that comes after the server persisted the prompt.
        if (frame.type === 'executing' && frame.data.node === null && frame.data.prompt_id) {
          // Settled but not answered for (its retries ran out): the history is there now.
          if (isUnresolved(item)) void api.dispatch(reconcilePrompt({ itemId }))
          return
        }
        const ended =
          frame.type === 'execution_success' ||
          frame.type === 'execution_interrupted' ||
          (frame.type === 'execution_error' && frame.data.exception_type !== EXECUTION_BLOCKED)
        const before = itemOf(api.getOriginalState().workflowExecution.items, itemId)
        if (ended && !isTerminalStatus(before?.status ?? null) && isTerminalStatus(item.status))
          void api.dispatch(reconcilePrompt({ itemId, delayMs: terminalReconcileDelayMs }))
      },
    }),
    startListening({
      actionCreator: reconcilePrompt.fulfilled,
      effect: (action, api) => {
        const result = action.payload
        const item = itemOf(api.getState().workflowExecution.items, action.meta.arg.itemId)
        if (!item || result.kind !== 'run') return
        const before = itemOf(api.getOriginalState().workflowExecution.items, action.meta.arg.itemId)
        for (const payload of newlyDeliveredOutputs(
          before,
          item,
          result.run.executionOrder,
          'reconciliation',
        ))
          announce(api, payload)
      },
    }),
    startListening({
      actionCreator: reconcilePrompt.pending,
      effect: (action) => inFlight.abortItem(action.meta.arg.itemId, 'superseded', action.meta.requestId),
    }),
    startListening({
      predicate: (_action, current, original) =>
        current.workflowExecution.evictionCount !== original.workflowExecution.evictionCount,
      effect: (_action, api) => {
        const { items } = api.getState().workflowExecution
        for (const itemId of inFlight.itemIds())
          if (!itemOf(items, itemId)) inFlight.abortItem(itemId, 'evicted')
      },
    }),
    startListening({
      actionCreator: socketDisconnected,
      effect: () => inFlight.abortAll('disconnected'),
    }),
    startListening({
      actionCreator: socketConnected,
      effect: async (_action, api) => {
        // Nothing missed while away is replayed: ask about every prompt not yet answered for.
        for (const item of itemsOf(api.getState().workflowExecution.items))
          if (isUnresolved(item)) void api.dispatch(reconcilePrompt({ itemId: item.itemId }))
        try {
          const prompts = await listQueue(api.signal)
          if (!api.signal.aborted) api.dispatch(queueListed({ prompts }))
        } catch {
          // The queue is a hint; every tracked prompt is reconciled on its own.
        }
      },
    }),
  ]
  return () => {
    for (const unsubscribe of unsubscribers) unsubscribe()
    inFlight.abortAll('unsubscribed')
  }
}
