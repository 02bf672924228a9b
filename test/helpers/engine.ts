import {
  configureStore,
  createListenerMiddleware,
  isAction,
  type Middleware,
  type UnknownAction,
} from '@reduxjs/toolkit'
import { setupServer } from 'msw/node'
import {
  addWorkflowExecutionListeners,
  bindSocket,
  invocationOutputReceived,
  workflowExecutionReducer,
  createInitialState,
  type EngineDispatch,
  type WithWorkflowExecution,
  type WorkflowExecutionListenerOptions,
  type InvocationOutputReceivedPayload,
} from '../../src'
import { createMockSocket, createQueueItemServer } from '../../src/testing'

export const BASE_URL = 'http://invoke.test'

/** One msw server per test file; each engine adds its own handlers. */
export function createMswServer() {
  return setupServer()
}

export interface EngineOptions extends WorkflowExecutionListenerOptions {
  maxItems?: number
  /** RTK's development checks walk the whole state on every dispatch: off for long runs. */
  devChecks?: boolean
}

/**
 * The engine wired into a host app's store the documented way (the host owns the listener middleware),
 * with a mocked socket, msw behind the REST endpoint, and a host listener that records every action.
 */
export function createEngine(msw: ReturnType<typeof setupServer>, options: EngineOptions = {}) {
  const queueItems = createQueueItemServer({ baseUrl: BASE_URL })
  msw.use(...queueItems.handlers)
  const listener = createListenerMiddleware<WithWorkflowExecution, EngineDispatch>()
  const actions: UnknownAction[] = []
  listener.startListening({ predicate: () => true, effect: (action) => void actions.push(action) })
  const engine = addWorkflowExecutionListeners(listener.startListening, {
    baseUrl: BASE_URL,
    canceledReconcileDelayMs: 20,
    backoffMs: 5,
    retries: 2,
    ...options,
  })
  // Every action that reaches the reducer, in order: the log a DevTools replay would use.
  const reduced: UnknownAction[] = []
  const record: Middleware = () => (next) => (action) => {
    if (isAction(action)) reduced.push(action)
    return next(action)
  }
  const preloadedState = {
    workflowExecution: createInitialState({ maxItems: options.maxItems ?? 100, baseUrl: BASE_URL }),
  }
  const store = configureStore({
    reducer: { workflowExecution: workflowExecutionReducer },
    preloadedState,
    middleware: (getDefaultMiddleware) =>
      getDefaultMiddleware({
        immutableCheck: options.devChecks ?? true,
        serializableCheck: options.devChecks ?? true,
      }).prepend(record, listener.middleware),
  })
  const socket = createMockSocket()
  const unbind = bindSocket(socket, store.dispatch)
  socket.connect()

  const outputs = () =>
    actions
      .filter(invocationOutputReceived.match)
      .map((action) => action.payload as InvocationOutputReceivedPayload)

  return {
    store,
    socket,
    engine,
    queueItems,
    actions,
    reduced,
    preloadedState,
    outputs,
    state: () => store.getState().workflowExecution,
    item: (itemId: number) => store.getState().workflowExecution.items.entities[itemId],
    push: (event: string, payload: unknown) => socket.serverPush(event, payload),
    /** Waits until no reconciliation is in flight (and a few ticks for effects to run). */
    settle: async (timeoutMs = 5_000) => {
      const until = Date.now() + timeoutMs
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 5))
        if (engine.inFlightCount() === 0) {
          await new Promise((resolve) => setTimeout(resolve, 5))
          if (engine.inFlightCount() === 0) return
        }
        if (Date.now() > until) throw new Error(`still ${engine.inFlightCount()} reconciliations in flight`)
      }
    },
    close: () => {
      unbind()
      engine.unsubscribe()
    },
  }
}

export type Engine = ReturnType<typeof createEngine>
