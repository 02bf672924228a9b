// startComfySimulator: a ComfyUI-protocol server (plain WebSocket at /ws + the REST of docs/comfyui.md)
// that runs default-workflow prompts for real, one at a time, for tests and demos. Everything lives in
// this closure; nothing is shared between two simulators.
import { EventEmitter } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { SimulatorError } from '../errors'
import { answerSocket, createOriginPolicy, isLoopbackHost, parseRequestTarget } from '../http'
import { createRandom, uuid } from '../random'
import { createStaticHandler } from '../static'
import { createTimers } from '../timers'
import { ComfyPromptError } from './errors'
import { json, serverFeatureFlags } from './frames'
import { createHistory, DEFAULT_MAX_HISTORY } from './history'
import { createHub } from './hub'
import { createComfyImageStore } from './images'
import { createPromptQueue, tupleOf } from './queue'
import { createRestHandler } from './rest'
import type {
  ComfyDeliveryOptions,
  ComfySimulator,
  ComfySimulatorOptions,
  HistoryEntry,
  PromptRequest,
} from './types'
import { defaultDelivery, parseDeliveryPatch, parsePromptRequest } from './validate'
import { createWorker, SIGNAL_SETTLED } from './worker'

export type * from './types'
export { ComfyPromptError } from './errors'
export {
  BINARY_PREVIEW_IMAGE,
  BINARY_PREVIEW_IMAGE_WITH_METADATA,
  FORMAT_JPEG,
  FORMAT_PNG,
  serverFeatureFlags,
} from './frames'
export { NODE_CLASSES } from './nodes'
export { defaultDelivery, isCanonicalUuid, parseDeliveryPatch, validatePrompt } from './validate'
export { defaultWorkflow } from './workflow'
export type { DefaultWorkflowOptions } from './workflow'

const SIGNAL_REMOVED = 'removed'
const SIGNAL_CLOSED = 'closed'
export const DEFAULT_FAIL_SEED = 666

/** A new socket's sid when the client names none: uuid4 hex, as core makes it. */
const hexUuid = () => uuid().replace(/-/g, '')

export async function startComfySimulator(options: ComfySimulatorOptions = {}): Promise<ComfySimulator> {
  const host = options.host ?? '127.0.0.1'
  if (!isLoopbackHost(host.includes(':') ? `[${host}]` : host)) {
    throw new Error(`the simulator listens on loopback only, not on ${host}`)
  }
  const stepDelayMs = options.stepDelayMs ?? 40
  if (!Number.isFinite(stepDelayMs) || stepDelayMs < 0) throw new Error(`bad stepDelayMs ${stepDelayMs}`)

  const timers = createTimers()
  const signals = new EventEmitter()
  signals.setMaxListeners(0)
  const queue = createPromptQueue()
  const history = createHistory(options.maxHistory ?? DEFAULT_MAX_HISTORY)
  const images = createComfyImageStore(0)
  const origins = createOriginPolicy(false)
  const initial = parseDeliveryPatch(options.delivery ?? {}, { ...defaultDelivery })
  const state = {
    delivery: initial,
    chaos: createRandom(initial.chaosSeed),
    // The server's priority counter: the next prompt without an explicit number gets it.
    counter: 0,
    closed: null as Promise<void> | null,
  }

  const hub = createHub({
    queueRemaining: () => queueRemaining(),
    replayFor: (sid) => worker.replayFor(sid),
  })
  const queueRemaining = () => queue.size() + (worker.running() ? 1 : 0)
  const broadcastStatus = () =>
    hub.broadcast(json('status', { status: { exec_info: { queue_remaining: queueRemaining() } } }))
  const worker = createWorker({
    queue,
    history,
    hub,
    images,
    timers,
    signals,
    delivery: () => state.delivery,
    chaosDrops: () => state.delivery.chaosDrop > 0 && state.chaos() < state.delivery.chaosDrop,
    stepDelayMs,
    failSeed: options.failSeed ?? DEFAULT_FAIL_SEED,
    queueChanged: broadcastStatus,
  })

  const isKnown = (promptId: string) =>
    history.has(promptId) || queue.get(promptId) !== undefined || worker.running()?.item.promptId === promptId

  const submit = (body: PromptRequest | unknown) => {
    if (state.closed) throw new SimulatorError(503, 'the simulator is closed')
    const request = parsePromptRequest(body)
    // A reused id would make history and the jobs API ambiguous: the simulator refuses it.
    if (request.promptId !== null && isKnown(request.promptId)) {
      throw new ComfyPromptError(
        'invalid_prompt_id',
        'Invalid prompt_id',
        `prompt_id ${request.promptId} is already used`,
      )
    }
    const promptId = request.promptId ?? uuid()
    const counted = state.counter
    if (request.number === null) state.counter += 1
    const number = request.number ?? (request.front && counted !== 0 ? -counted : counted)
    queue.put({
      number,
      promptId,
      prompt: request.prompt,
      extraData: { ...request.extraData, create_time: Date.now() },
      outputs: request.outputs,
    })
    broadcastStatus()
    worker.kick()
    return { prompt_id: promptId, number, node_errors: request.nodeErrors }
  }

  const deletePending = (promptIds: string[]) => {
    for (const id of promptIds) {
      if (!queue.remove(id)) continue
      broadcastStatus()
      signals.emit(SIGNAL_REMOVED, id)
    }
  }

  const clearPending = () => {
    const removed = queue.clear()
    broadcastStatus()
    removed.forEach((id) => signals.emit(SIGNAL_REMOVED, id))
  }

  const jobs = {
    history,
    running: () => worker.running(),
    pending: () => queue.items(),
  }

  const httpServer = createServer(
    createRestHandler({
      submit,
      queueRemaining,
      queue: () => {
        const running = worker.running()
        return {
          queue_running: running ? [tupleOf(running.item)] : [],
          queue_pending: queue.items().map(tupleOf),
        }
      },
      deletePending,
      clearPending,
      interrupt: (promptId) => worker.interrupt(promptId),
      cancelJob(promptId) {
        if (worker.running()?.item.promptId === promptId) return worker.interrupt(promptId)
        const pending = queue.get(promptId) !== undefined
        if (pending) deletePending([promptId])
        return pending
      },
      history,
      jobs,
      images,
      features: serverFeatureFlags,
      serveStatic: options.staticDir ? createStaticHandler(options.staticDir) : undefined,
      origins,
    }),
  )

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 })
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = parseRequestTarget(req.url)
    if (!url) return answerSocket(socket, 400, 'malformed request target')
    const refusal = origins.refusal(req, true)
    if (refusal) return answerSocket(socket, 403, refusal)
    if (url.pathname !== '/ws' && url.pathname !== '/api/ws') return answerSocket(socket, 404, 'Not Found')
    if (state.closed) return socket.destroy()
    // A given clientId is kept verbatim, whatever it is; otherwise the server names the socket.
    const sid = url.searchParams.get('clientId') || hexUuid()
    wss.handleUpgrade(req, socket, head, (ws) => hub.attach(ws, sid))
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

  const setDelivery = (patch: Partial<ComfyDeliveryOptions>) => {
    state.delivery = parseDeliveryPatch(patch, state.delivery)
    // A new delivery restarts the chaos sequence, so a test that sets it gets the same draws each time.
    state.chaos = createRandom(state.delivery.chaosSeed)
    return { ...state.delivery }
  }

  const whenSettled = (promptId: string, timeoutMs = 10_000) =>
    new Promise<HistoryEntry>((resolve, reject) => {
      const done = history.get(promptId)
      if (done) return resolve(structuredClone(done))
      if (!isKnown(promptId)) return reject(new SimulatorError(404, `prompt ${promptId} is not known`))
      const cleanup = () => {
        signals.off(SIGNAL_SETTLED, onSettled)
        signals.off(SIGNAL_REMOVED, onRemoved)
        signals.off(SIGNAL_CLOSED, onClosed)
        timers.cancel(timer)
      }
      const onSettled = (id: string, entry: HistoryEntry) => {
        if (id !== promptId) return
        cleanup()
        resolve(structuredClone(entry))
      }
      const onRemoved = (id: string) => {
        if (id !== promptId) return
        cleanup()
        reject(new SimulatorError(404, `prompt ${promptId} was deleted before it ran`))
      }
      const onClosed = () => {
        cleanup()
        reject(new SimulatorError(503, 'the simulator closed'))
      }
      const timer = timers.after(timeoutMs, () => {
        cleanup()
        reject(new SimulatorError(408, `prompt ${promptId} did not settle in ${timeoutMs} ms`))
      })
      signals.on(SIGNAL_SETTLED, onSettled)
      signals.on(SIGNAL_REMOVED, onRemoved)
      signals.on(SIGNAL_CLOSED, onClosed)
    })

  const close = () => {
    state.closed ??= (async () => {
      worker.close()
      signals.emit(SIGNAL_CLOSED)
      signals.removeAllListeners()
      timers.clearAll()
      hub.disconnectAll()
      wss.close()
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()))
      httpServer.closeAllConnections()
      await stopped
    })()
    return state.closed
  }

  return {
    url: `http://${urlHost}:${port}`,
    port,
    close,
    getDelivery: () => ({ ...state.delivery }),
    setDelivery,
    disconnectClients: () => hub.disconnectAll(),
    submit,
    whenSettled,
    features: serverFeatureFlags,
  }
}
