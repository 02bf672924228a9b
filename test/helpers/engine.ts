import { configureStore, isAction, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import { setupServer } from 'msw/node'
import {
  createWorkflowExecution,
  invocationOutputReceived,
  type InvocationOutputReceivedPayload,
  type SessionQueueItem,
  type WorkflowExecutionOptions,
} from '../../src'
import { createMockSocket, createQueueItemServer } from '../../src/testing'
import { itemOf } from '../../src/features/workflowExecution'

export const BASE_URL = 'http://invoke.test'

/** One msw server per test file; each engine adds its own handlers. */
export function createMswServer() {
  return setupServer()
}

export interface EngineOptions extends WorkflowExecutionOptions {
  /** RTK's development checks walk the whole state on every dispatch: off for long runs. */
  devChecks?: boolean
  /** What the mocked server holds before the socket first connects. */
  items?: SessionQueueItem[]
}

/**
 * The engine wired into a host app's store the documented way (`createWorkflowExecution` beside the
 * host's reducers), with a mocked socket, msw behind the REST endpoint, and a host listener that records
 * every action.
 */
export function createEngine(msw: ReturnType<typeof setupServer>, options: EngineOptions = {}) {
  const { devChecks = true, items = [], ...engineOptions } = options
  const queueItems = createQueueItemServer({ baseUrl: BASE_URL, items })
  msw.use(...queueItems.handlers)
  const engine = createWorkflowExecution({
    baseUrl: BASE_URL,
    canceledReconcileDelayMs: 20,
    backoffMs: 5,
    retries: 2,
    // Scenarios about the socket and reconciliation start from an empty engine; hydration has its own.
    hydrate: false,
    ...engineOptions,
  })
  const actions: UnknownAction[] = []
  engine.startListening({ predicate: () => true, effect: (action) => void actions.push(action) })
  // Every action that reaches the reducer, in order: the log a DevTools replay would use.
  const reduced: UnknownAction[] = []
  const record: Middleware = () => (next) => (action) => {
    if (isAction(action)) reduced.push(action)
    return next(action)
  }
  const preloadedState = { workflowExecution: engine.getInitialState() }
  const store = configureStore({
    reducer: { [engine.reducerPath]: engine.reducer },
    middleware: (getDefaultMiddleware) =>
      getDefaultMiddleware({ immutableCheck: devChecks, serializableCheck: devChecks })
        .prepend(record)
        .concat(engine.middleware),
  })
  const socket = createMockSocket()
  const unbind = engine.bindSocket(socket, store.dispatch)
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
    /** The file's msw server: `e.msw.use(...)` overrides an endpoint for this test. */
    msw,
    actions,
    reduced,
    preloadedState,
    outputs,
    state: () => store.getState().workflowExecution,
    item: (itemId: number) => itemOf(store.getState().workflowExecution.items, itemId),
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
      engine.close()
    },
  }
}

export type Engine = ReturnType<typeof createEngine>
