import {
  createListenerMiddleware,
  type Dispatch,
  type ListenerMiddleware,
  type Reducer,
} from '@reduxjs/toolkit'
import type {
  EngineDispatch,
  StartWorkflowExecutionListening,
} from '../features/workflowExecution/listeners/types'
import { createInFlightRegistry } from '../features/workflowExecution/reconciliation/inFlight'
import { reconciliationAttemptFailed } from '../features/workflowExecution/reconciliation/actions'
import type { EngineReconcileThunk } from '../features/workflowExecution/reconciliation/types'
import { coreActions } from '../features/workflowExecution/slice/actions'
import { createEngineReducer } from '../features/workflowExecution/slice/reducer'
import { executionSelectors, type WithWorkflowExecution } from '../features/workflowExecution/slice/selectors'
import {
  createInitialState,
  REDUCER_PATH,
  type WorkflowExecutionConfig,
  type WorkflowExecutionState,
} from '../features/workflowExecution/slice/state'
import { createExecutionSubscriptions } from '../features/workflowExecution/subscriptions'
import type { WorkflowExecutionSelectors } from '../features/workflowExecution/slice/selectors'
import { addComfyListeners, type ListQueue } from './listeners'
import { createReconcilePrompt, type LookupPrompt } from './reconciliation/reconcilePrompt'
import { fetchComfyQueue, fetchPersistedPrompt } from './rest'
import { trieGet } from '../features/workflowExecution/model/structures/hashTrie'
import { comfyActions } from './slice/actions'
import { comfyReducerFront } from './slice/reducer'
import { bindComfySocket } from './socket/bind'
import { createComfySocket } from './socket'
import type { ComfySocket, ComfySocketOptions } from './socket/types'
import { createSubmitPrompt, randomPromptId, type SubmitPromptThunk } from './submit'

/** How one ComfyUI engine reaches its server and how hard it tries. */
export interface ComfyWorkflowExecutionOptions {
  /** Server root, e.g. `'http://127.0.0.1:8188'`; `''` = the page's own origin. */
  baseUrl?: string
  /** This client's id on `/ws` and in every prompt it sends; default: a new random id. Keep it across reloads to hear a run again. */
  clientId?: string
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch
  headers?: Record<string, string>
  maxItems?: number
  maxEvictedIds?: number
  /** Failed REST attempts retried before giving up (default 3), first wait and cap (250 ms, 5 s). */
  retries?: number
  backoffMs?: number
  maxBackoffMs?: number
  /** How often a stopped prompt the server still shows running is asked again (default 6). */
  lagRetries?: number
  timeoutMs?: number
  /** After a terminal frame, wait before asking if `executing { node: null }` did not come (default 500 ms). */
  terminalReconcileDelayMs?: number
  /** Replaces the REST look-up of one prompt (tests, a proxy of your own). */
  lookupPrompt?: LookupPrompt
  /** Replaces `GET /queue`. */
  listQueue?: ListQueue
}

/** The ComfyUI engine: the same state, selectors and hooks as InvokeAI's, over ComfyUI's socket and REST. */
export interface ComfyWorkflowExecution {
  readonly reducerPath: typeof REDUCER_PATH
  readonly reducer: Reducer<WorkflowExecutionState>
  readonly middleware: ListenerMiddleware<WithWorkflowExecution, EngineDispatch>
  readonly startListening: StartWorkflowExecutionListening
  /** The id this client's socket and prompts carry. */
  readonly clientId: string
  /**
   * Opens `/ws?clientId=…` (reconnecting with backoff) and binds it to `dispatch`. In Node 20 pass the
   * `ws` package's `WebSocket`; browsers have their own.
   */
  connect(
    dispatch: Dispatch,
    socket?: Omit<ComfySocketOptions, 'url' | 'clientId'> & { url?: string },
  ): ComfySocket
  /** Binds a socket made elsewhere (`createComfySocket`); returns the function that unbinds. */
  bindSocket(socket: ComfySocket, dispatch: Dispatch): () => void
  /** Queues a prompt with a client-chosen id (the item exists before the request goes out). */
  readonly submitPrompt: SubmitPromptThunk
  /** Ask the server about an item now; aborted when superseded, evicted or disconnected. */
  readonly reconcilePrompt: EngineReconcileThunk
  readonly actions: typeof coreActions &
    typeof comfyActions & { reconciliationAttemptFailed: typeof reconciliationAttemptFailed }
  readonly selectors: WorkflowExecutionSelectors
  getInitialState(): WorkflowExecutionState
  inFlightCount(): number
  /** Removes the listeners and aborts every request in flight. */
  close(): void
}

function configOf(options: ComfyWorkflowExecutionOptions): Partial<WorkflowExecutionConfig> {
  const config: Partial<WorkflowExecutionConfig> = { hydrateRecentItems: null }
  if (options.maxItems !== undefined) config.maxItems = options.maxItems
  if (options.maxEvictedIds !== undefined) config.maxEvictedIds = options.maxEvictedIds
  if (options.baseUrl !== undefined) config.baseUrl = options.baseUrl
  return config
}

const DEFAULT_TERMINAL_RECONCILE_DELAY_MS = 500

/**
 * Builds one ComfyUI engine: the reducer (the ComfyUI front over the engine's own), the listener
 * middleware, the socket binding, and the reconciliation and submit thunks.
 * @example
 * const comfy = createComfyWorkflowExecution({ baseUrl: 'http://127.0.0.1:8188' })
 * const store = configureStore({
 *   reducer: { [comfy.reducerPath]: comfy.reducer },
 *   middleware: (getDefault) => getDefault().concat(comfy.middleware),
 * })
 * comfy.connect(store.dispatch)
 * void store.dispatch(comfy.submitPrompt({ prompt }))
 */
export function createComfyWorkflowExecution(
  options: ComfyWorkflowExecutionOptions = {},
): ComfyWorkflowExecution {
  const initialState = createInitialState(configOf(options))
  const baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '')
  const clientId = options.clientId ?? randomPromptId().replaceAll('-', '')
  const fetcher: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const inFlight = createInFlightRegistry()
  const validatedMark = Symbol('validated by the ComfyUI binding')
  // Whether the server has the jobs API, learned on the first look-up (per engine, never shared).
  let jobsApi: boolean | undefined
  const lookupPrompt: LookupPrompt =
    options.lookupPrompt ??
    (async ({ promptId, meta, signal }) => {
      const found = await fetchPersistedPrompt(promptId, {
        baseUrl,
        fetch: fetcher,
        signal,
        meta,
        ...(options.headers ? { headers: options.headers } : {}),
        ...(jobsApi === undefined ? {} : { jobsApi }),
      })
      jobsApi = found.api === 'jobs'
      return found
    })
  const listQueue: ListQueue =
    options.listQueue ??
    (async (signal) => {
      const queue = await fetchComfyQueue({
        baseUrl,
        fetch: fetcher,
        signal,
        ...(options.headers ? { headers: options.headers } : {}),
      })
      // This client's prompts only (queued before a reload, say): another client's frames never come here,
      // so its prompt would show running until the next reconnect.
      const ours = (prompt: { clientId: string | null }) => prompt.clientId === clientId
      return [
        ...queue.running
          .filter(ours)
          .map((prompt) => ({ promptId: prompt.promptId, status: 'in_progress' as const })),
        ...queue.pending
          .filter(ours)
          .map((prompt) => ({ promptId: prompt.promptId, status: 'pending' as const })),
      ]
    })
  const reconcilePrompt = createReconcilePrompt(
    {
      lookupPrompt,
      ...(options.retries === undefined ? {} : { retries: options.retries }),
      ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }),
      ...(options.maxBackoffMs === undefined ? {} : { maxBackoffMs: options.maxBackoffMs }),
      ...(options.lagRetries === undefined ? {} : { lagRetries: options.lagRetries }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    },
    inFlight,
  )
  const submitPrompt = createSubmitPrompt({
    baseUrl,
    clientId,
    fetch: fetcher,
    ...(options.headers ? { headers: options.headers } : {}),
  })
  // ComfyUI's answers are mapped to the model's PersistedRun by the thunk itself (`kind: 'run'`).
  const reducer = createEngineReducer(initialState, {
    reconcile: reconcilePrompt,
    runOf: () => null,
    front: comfyReducerFront(validatedMark),
  })
  const listenerMiddleware = createListenerMiddleware<WithWorkflowExecution, EngineDispatch>()
  const subscriptions = createExecutionSubscriptions()
  const middleware = ((api) => {
    const outer = subscriptions.middleware(api)
    const inner = listenerMiddleware.middleware(api)
    return (next) => outer(inner(next))
  }) as ListenerMiddleware<WithWorkflowExecution, EngineDispatch>
  const removeListeners = addComfyListeners(listenerMiddleware.startListening, {
    reconcilePrompt,
    inFlight,
    listQueue,
    terminalReconcileDelayMs: options.terminalReconcileDelayMs ?? DEFAULT_TERMINAL_RECONCILE_DELAY_MS,
  })
  // A refused or unanswered submission: the server's word decides whether it holds the prompt.
  const removeSubmitListener = listenerMiddleware.startListening({
    actionCreator: submitPrompt.fulfilled,
    effect: (action, api) => {
      if (action.payload.accepted) return
      const itemId = trieGet(api.getState().workflowExecution.itemIdByRunKey, action.payload.promptId)
      if (itemId !== undefined) void api.dispatch(reconcilePrompt({ itemId }))
    },
  })

  const bindSocket = (socket: ComfySocket, dispatch: Dispatch) =>
    bindComfySocket(socket, dispatch, validatedMark)
  return {
    reducerPath: REDUCER_PATH,
    reducer,
    middleware,
    startListening: listenerMiddleware.startListening,
    clientId,
    connect: (dispatch, socketOptions = {}) => {
      const socket = createComfySocket({
        url: socketOptions.url ?? (baseUrl || globalThis.location.origin),
        ...socketOptions,
        clientId,
      })
      bindSocket(socket, dispatch)
      socket.connect()
      return socket
    },
    bindSocket,
    submitPrompt,
    reconcilePrompt,
    actions: { ...coreActions, ...comfyActions, reconciliationAttemptFailed },
    selectors: executionSelectors,
    getInitialState: () => initialState,
    inFlightCount: () => inFlight.size(),
    close: () => {
      removeListeners()
      removeSubmitListener()
      listenerMiddleware.clearListeners()
    },
  }
}
