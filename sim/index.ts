// startSimulator: an InvokeAI-compatible server (socket.io events + queue REST) that runs small
// workflow graphs for real, for tests and the live demo page. Everything lives in this closure.
import { EventEmitter } from 'node:events'
import { createServer } from 'node:http'
import type { RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Server } from 'socket.io'
import { createEmitter, SIGNAL_ITEM } from './emit'
import { SimulatorError } from './errors'
import { createHub } from './hub'
import { createOperations } from './operations'
import { createQueueStore, isTerminal } from './queue'
import { createRestHandler } from './rest'
import { scenarioInfos } from './scenarios'
import { createStaticHandler } from './static'
import { createTimers } from './timers'
import type { DeliveryOptions, EnqueueBatchResult, JsonObject, Simulator, SimulatorOptions } from './types'
import { parseDeliveryPatch } from './validate'
import { createWorker, SIGNAL_SETTLED } from './worker'

export type * from './types'
export { SimulatorError } from './errors'
export { createRandom } from './random'

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/
/** How long an enqueue response waits for its run's first events (eventsBeforeEnqueueResponse). */
const FIRST_EVENTS_TIMEOUT_MS = 2000
/** Extra time for those events to cross their socket before the HTTP response goes out. */
const FIRST_EVENTS_MARGIN_MS = 30

export const defaultDelivery: Readonly<DeliveryOptions> = {
  mode: 'in_order',
  eventsBeforeEnqueueResponse: false,
  cancelRace: false,
  cancelRaceCompletes: false,
  chaos: null,
}

function normalizeBasePath(basePath: string): string {
  const trimmed = basePath.replace(/\/+$/, '')
  if (trimmed === '') return ''
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1'
  if (!LOOPBACK.test(host)) throw new Error(`the simulator listens on loopback only, not on ${host}`)
  const basePath = normalizeBasePath(options.basePath ?? '')
  const stepDelayMs = options.stepDelayMs ?? 40
  const startDelayMs = options.startDelayMs ?? 15
  const authToken = options.authToken

  const timers = createTimers()
  const signals = new EventEmitter()
  signals.setMaxListeners(0)
  const store = createQueueStore()
  const state = {
    delivery: parseDeliveryPatch(options.delivery ?? {}, { ...defaultDelivery }),
    closed: null as Promise<void> | null,
  }

  // The REST handler must be the server's own listener before socket.io attaches: engine.io then
  // forwards to it only the requests that are not its own.
  const http = { handle: null as RequestListener | null }
  const httpServer = createServer((req, res) => http.handle?.(req, res))
  const io = new Server(httpServer, {
    path: `${basePath}/ws/socket.io`,
    cors: { origin: true },
    serveClient: false,
  })
  if (authToken) {
    io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token
      next(token === authToken ? undefined : new Error('invalid token'))
    })
  }
  const hub = createHub(io, timers, state.delivery)
  const emit = createEmitter(store, hub, signals)
  const worker = createWorker({
    store,
    emit,
    timers,
    signals,
    delivery: () => state.delivery,
    stepDelayMs,
    cancelPersistDelayMs: options.cancelPersistDelayMs ?? 100,
  })
  const ops = createOperations(store, emit, worker)

  const setDelivery = (patch: Partial<DeliveryOptions>) => {
    state.delivery = parseDeliveryPatch(patch, state.delivery)
    hub.setOptions(state.delivery)
    return { ...state.delivery }
  }

  /** Resolves once `check` holds, re-checked on every internal signal; undefined on timeout. */
  const waitFor = <T>(check: () => T | undefined, timeoutMs: number) =>
    new Promise<T | undefined>((resolve) => {
      const first = check()
      if (first !== undefined) return resolve(first)
      const onSignal = () => {
        const value = check()
        if (value !== undefined) finish(value)
      }
      const finish = (value: T | undefined) => {
        signals.off(SIGNAL_ITEM, onSignal)
        signals.off(SIGNAL_SETTLED, onSignal)
        timers.cancel(timer)
        resolve(value)
      }
      const timer = timers.after(timeoutMs, () => finish(undefined))
      signals.on(SIGNAL_ITEM, onSignal)
      signals.on(SIGNAL_SETTLED, onSignal)
    })

  // With eventsBeforeEnqueueResponse, the response waits until the run has sent its first
  // invocation event (or ended), so a client sees events for an item id it does not know yet.
  const beforeEnqueueResponse = async (result: EnqueueBatchResult) => {
    if (!state.delivery.eventsBeforeEnqueueResponse) return
    ops.release(result.item_ids)
    const first = result.item_ids[0]
    const seen = { invocation: false }
    const onItem = (itemId: number, name: string) => {
      if (itemId === first && name.startsWith('invocation_')) seen.invocation = true
    }
    signals.on(SIGNAL_ITEM, onItem)
    await waitFor(() => {
      const row = first === undefined ? undefined : store.get(first)
      return !row || seen.invocation || isTerminal(row.status) ? true : undefined
    }, FIRST_EVENTS_TIMEOUT_MS)
    signals.off(SIGNAL_ITEM, onItem)
    await timers.sleep(FIRST_EVENTS_MARGIN_MS).catch(() => {})
  }

  // Otherwise the run starts a little after the response, as it usually does on a real server.
  const afterEnqueueResponse = (result: EnqueueBatchResult) => {
    timers.after(startDelayMs, () => ops.release(result.item_ids))
  }

  const serveStatic = options.staticDir ? createStaticHandler(options.staticDir) : undefined
  http.handle = createRestHandler({
    basePath,
    ops,
    scenarios: scenarioInfos,
    getDelivery: () => ({ ...state.delivery }),
    setDelivery: (delivery) => setDelivery(delivery),
    disconnectClients: () => hub.disconnectAll(),
    beforeEnqueueResponse,
    afterEnqueueResponse,
    serveStatic,
    authToken,
  })

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', reject)
      resolve()
    })
  })
  const port = (httpServer.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host

  const getQueueItem = (itemId: number): JsonObject | undefined => {
    const row = store.get(itemId)
    return row ? ops.get(row.queue_id, itemId) : undefined
  }

  const close = () => {
    state.closed ??= (async () => {
      worker.close()
      hub.destroy()
      timers.clearAll()
      signals.removeAllListeners()
      const closing = io.close()
      httpServer.closeAllConnections()
      await closing
    })()
    return state.closed
  }

  return {
    url: `http://${urlHost}:${port}`,
    port,
    basePath,
    scenarios: scenarioInfos,
    close,
    getDelivery: () => ({ ...state.delivery }),
    setDelivery,
    disconnectClients: () => hub.disconnectAll(),
    enqueue: (body, queueId = 'default') => ops.enqueue(body, queueId, false),
    enqueueScenario: (name, scenarioOptions = {}) => ops.enqueueScenario(name, scenarioOptions, false),
    cancel(itemId) {
      const row = store.get(itemId)
      return row ? ops.cancel(row.queue_id, itemId) : undefined
    },
    getQueueItem,
    whenSettled: (itemId, timeoutMs = 10_000) =>
      waitFor(() => {
        const row = store.get(itemId)
        if (!row) return { gone: true as const }
        return isTerminal(row.status) && !worker.isSaving(itemId) && worker.runningItemId() !== itemId
          ? { gone: false as const }
          : undefined
      }, timeoutMs).then((done) => {
        if (!done) throw new SimulatorError(408, `item ${itemId} did not settle in ${timeoutMs} ms`)
        return getQueueItem(itemId)
      }),
    whenIdle: (timeoutMs = 10_000) =>
      waitFor(() => (worker.isIdle() && !store.hasPending() ? true : undefined), timeoutMs).then((done) => {
        if (!done) throw new SimulatorError(408, `the simulator was not idle within ${timeoutMs} ms`)
      }),
  }
}
