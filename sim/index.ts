// startSimulator: an InvokeAI-compatible server (socket.io events + queue REST) that runs small
// workflow graphs for real, for tests and the live demo page. Everything lives in this closure.
import { EventEmitter } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingMessage, RequestListener } from 'node:http'
import type { AddressInfo, Socket as NetSocket } from 'node:net'
import type { Duplex } from 'node:stream'
import { Server } from 'socket.io'
import { createEmitter, SIGNAL_ITEM } from './emit'
import { SimulatorError } from './errors'
import { answerSocket, checkCorsOption, createOriginPolicy, parseRequestTarget } from './http'
import { createHub } from './hub'
import { createImageRoutes } from './imageRoutes'
import { createImageStore } from './images'
import { createOperations } from './operations'
import { createQueueStore, isTerminal } from './queue'
import { createRestHandler } from './rest'
import { scenarioInfos } from './scenarios'
import { createStaticHandler } from './static'
import { createTimers } from './timers'
import type {
  DeliveryOptions,
  EnqueueBatchResult,
  JsonObject,
  RestartOptions,
  ServerFeatures,
  Simulator,
  SimulatorOptions,
} from './types'
import { createIdentities } from './users'
import { parseDeliveryPatch, parseFeaturesPatch, parseRestartOptions } from './validate'
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

// Off by default: the simulator answered 404 there before, and engines hydrate from them when present.
export const defaultFeatures: Readonly<ServerFeatures> = { snapshotEndpoints: false }

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
  const identities = createIdentities(options.authToken, options.users)
  const cors = checkCorsOption(options.cors)
  const origins = createOriginPolicy(cors)
  const socketPath = `${basePath}/ws/socket.io`

  const timers = createTimers()
  const signals = new EventEmitter()
  signals.setMaxListeners(0)
  const store = createQueueStore()
  const images = createImageStore(options.maxImages)
  const state = {
    delivery: parseDeliveryPatch(options.delivery ?? {}, { ...defaultDelivery }),
    features: parseFeaturesPatch(options.features ?? {}, { ...defaultFeatures }),
    closed: null as Promise<void> | null,
    restarting: null as Promise<void> | null,
    // One more on every restart: what was scheduled for the old database must not touch the new one.
    generation: 0,
  }
  // Every TCP connection, so a restart can drop them all at once, as a process that dies does.
  const connections = new Set<NetSocket>()

  // The REST handler must be the server's own listener before socket.io attaches: engine.io then
  // forwards to it only the requests that are not its own.
  const http = { handle: null as RequestListener | null }
  const httpServer = createServer((req, res) => http.handle?.(req, res))
  httpServer.on('connection', (socket) => {
    connections.add(socket)
    socket.once('close', () => connections.delete(socket))
  })
  const io = new Server(httpServer, {
    path: socketPath,
    // No CORS headers unless opted in; the handshake (polling or websocket, which CORS does not cover)
    // is refused for a foreign Host or Origin, so no other page can read the events or subscribe.
    ...(cors === false ? {} : { cors: { origin: cors === true ? true : [...cors] } }),
    allowRequest: (req, callback) => {
      const refusal = origins.refusal(req, true)
      callback(refusal, refusal === null)
    },
    serveClient: false,
  })
  // engine.io takes the upgrades on its path; any other one (or one with a malformed target) is answered
  // here at once instead of being left open until engine.io's own timeout drops it.
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy())
    if (!parseRequestTarget(req.url)) return answerSocket(socket, 400, 'malformed request target')
    // The same test as engine.io's own, on the raw target, so exactly one of the two answers.
    if (!req.url?.startsWith(`${socketPath}/`)) answerSocket(socket, 404, 'Not Found')
  })
  // A socket is the user of its `auth: { token }` (users.ts); a refused token is a connect_error.
  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token
    const identity = identities.resolve(typeof token === 'string' ? token : undefined)
    if (!identity) return next(new Error('invalid token'))
    socket.data = { ...socket.data, identity }
    next()
  })
  const hub = createHub(io, timers, state.delivery, options.chaosIdleFlushMs)
  const emit = createEmitter(store, hub, signals)
  const worker = createWorker({
    store,
    emit,
    timers,
    signals,
    delivery: () => state.delivery,
    images,
    stepDelayMs,
    cancelPersistDelayMs: options.cancelPersistDelayMs ?? 100,
  })
  const ops = createOperations(store, emit, worker)

  const setDelivery = (patch: Partial<DeliveryOptions>) => {
    state.delivery = parseDeliveryPatch(patch, state.delivery)
    hub.setOptions(state.delivery)
    return { ...state.delivery }
  }

  const setFeatures = (patch: Partial<ServerFeatures>) => {
    state.features = parseFeaturesPatch(patch, state.features)
    return { ...state.features }
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
    const generation = state.generation
    timers.after(startDelayMs, () => {
      if (generation === state.generation) ops.release(result.item_ids)
    })
  }

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject)
      httpServer.listen(port, host, () => {
        httpServer.off('error', reject)
        resolve()
      })
    })

  // A restart with a wiped database: the state goes first (silently, as in a crash), then every
  // connection drops and the port refuses connections for `downtimeMs`, then it listens again.
  // Async for its errors only: everything up to the first await (the wipe, the dropped sockets) is synchronous.
  const restart = async (restartOptions: RestartOptions = {}) => {
    const { downtimeMs } = parseRestartOptions(restartOptions)
    if (state.closed) throw new Error('the simulator is closed')
    state.restarting ??= (async () => {
      state.generation += 1
      worker.reset()
      store.reset()
      images.reset()
      hub.reset()
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()))
      for (const socket of connections) socket.destroy()
      await stopped
      await timers.sleep(downtimeMs)
      if (state.closed) return
      await listen(port)
      // close() came while it was starting to listen again.
      if (state.closed) httpServer.close()
    })().finally(() => {
      state.restarting = null
    })
    return state.restarting
  }

  const serveStatic = options.staticDir ? createStaticHandler(options.staticDir) : undefined
  http.handle = createRestHandler({
    basePath,
    ops,
    scenarios: scenarioInfos,
    getDelivery: () => ({ ...state.delivery }),
    setDelivery: (delivery) => setDelivery(delivery),
    disconnectClients: () => hub.disconnectAll(),
    getFeatures: () => ({ ...state.features }),
    setFeatures: (features) => setFeatures(features),
    restart: (restartOptions) =>
      void restart(restartOptions).catch((error: unknown) => {
        if (!state.closed) console.error('simulator restart:', error)
      }),
    beforeEnqueueResponse,
    afterEnqueueResponse,
    serveStatic,
    serveImages: createImageRoutes({ basePath, images, identities }),
    identities,
    origins,
  })

  await listen(options.port ?? 0)
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
      await state.restarting?.catch(() => {})
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
    enqueue: (body, queueId = 'default', enqueueOptions = {}) =>
      ops.enqueue(body, queueId, false, enqueueOptions.userId),
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
    getFeatures: () => ({ ...state.features }),
    setFeatures,
    restart,
    users: () => identities.list(),
  }
}
