import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Server } from 'socket.io'
import { createStaticHandler } from '../../sim/static'
import {
  hostileQueueItem,
  hostileRunEvents,
  restAnswers,
  statusChanged,
  type RestMode,
} from './hostilePayloads'

/*
 * A test-only server that serves the built page and attacks it: the REST paths the page calls answer in
 * hostile or wrong shapes, and the socket sends hostile runs and floods. Loopback, a random port, and it
 * closes itself after `lifetimeMs` should a test forget to.
 */

const repoDir = fileURLToPath(new URL('../../', import.meta.url))

/** Builds the page into a folder of its own (test files run side by side); `remove` deletes it. */
export async function buildPage(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-page-'))
  // In a process of its own: vitest sets NODE_ENV=test, and a page built under it has React's and RTK's
  // development checks (RTK's walk the whole state on every action); the page is built as `npm start` does.
  const { NODE_ENV: _nodeEnv, ...env } = process.env
  const args = ['vite', 'build', '--config', 'web/vite.config.ts', '--outDir', dir, '--emptyOutDir']
  const child = spawn('npx', [...args, '--logLevel', 'warn'], { cwd: repoDir, env, stdio: 'inherit' })
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', resolve)
  })
  if (code !== 0) throw new Error(`vite build exited with ${code}`)
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

export interface FloodOptions {
  perSecond: number
  seconds: number
  /** The first new item id; each event names the next one. */
  firstId: number
}

export interface HostileServer {
  url: string
  /** What REST answers from now on. */
  setRest(mode: RestMode): void
  /** Sends one hostile run of `itemId` (see hostileRunEvents); GET …/i/{itemId} then answers it. */
  sendHostileRun(itemId: number): void
  /** `queue_item_status_changed` for a new item id, `perSecond` of them for `seconds`; resolves when sent. */
  flood(options: FloodOptions): Promise<{ sent: number }>
  close(): Promise<void>
}

const FLOOD_TICK_MS = 20
const QUEUE = '/api/v1/queue/default'

function sendJson(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  })
  response.end(text)
}

export async function startHostileServer({
  pageDir,
  lifetimeMs = 300_000,
}: {
  pageDir: string
  lifetimeMs?: number
}): Promise<HostileServer> {
  const state = { rest: 'valid' as RestMode, nextEnqueueId: 1, runs: new Set<number>(), closed: false }
  const serveStatic = createStaticHandler(pageDir)
  const timers = new Set<NodeJS.Timeout>()
  const connections = new Set<Socket>()

  /** The REST answer for this request, or undefined when it is not a REST path. */
  const restAnswer = (method: string, path: string): [number, unknown] | undefined => {
    const mode = state.rest
    const item = new RegExp(`^${QUEUE}/i/(\\d+)$`).exec(path)
    if (item) {
      const itemId = Number(item[1])
      return state.runs.has(itemId) ? [200, hostileQueueItem(itemId)] : [404, { detail: 'not found' }]
    }
    if (path.startsWith('/api/v1/images/')) return [404, { detail: 'no images here' }]
    if (/\/cancel$/.test(path)) return [200, mode === 'wrong' ? 'canceled' : {}]
    const routes: Record<string, () => unknown> = {
      [`GET ${QUEUE}/status`]: () => restAnswers.status(mode),
      [`GET ${QUEUE}/current`]: () => null,
      [`GET ${QUEUE}/item_ids`]: () => restAnswers.itemIds(mode),
      [`POST ${QUEUE}/items_by_ids`]: () => (mode === 'wrong' ? { items: [] } : []),
      'GET /sim/scenarios': () => restAnswers.scenarios(),
      'GET /sim/delivery': () => restAnswers.delivery(mode),
      'POST /sim/delivery': () => restAnswers.delivery(mode),
      'GET /sim/users': () => restAnswers.users(mode),
      'POST /sim/disconnect': () => ({}),
      'POST /sim/enqueue': () => {
        const itemId = state.nextEnqueueId
        state.nextEnqueueId += 1
        if (mode === 'valid') later(() => sendHostileRun(itemId), 50)
        return restAnswers.enqueue(mode, itemId)
      },
    }
    const route = routes[`${method} ${path}`]
    return route ? [200, route()] : undefined
  }

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://hostile.invalid').pathname
    // The body is never read: drained, so a POST does not stall the connection.
    request.resume()
    const answer = restAnswer(request.method ?? 'GET', path)
    if (answer) return sendJson(response, answer[0], answer[1])
    serveStatic(request, response, path).then(
      (served) => void (served || sendJson(response, 404, { detail: 'not found' })),
      () => void response.destroy(),
    )
  }

  const httpServer = createServer(handle)
  httpServer.on('connection', (socket) => {
    connections.add(socket)
    socket.once('close', () => connections.delete(socket))
  })
  // The page's socket: everything is broadcast, to whoever connected.
  const io = new Server(httpServer, { path: '/ws/socket.io', serveClient: false, maxHttpBufferSize: 1e6 })

  const later = (run: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!state.closed) run()
    }, ms)
    timers.add(timer)
  }

  const sendHostileRun = (itemId: number) => {
    state.runs.add(itemId)
    for (const [event, payload] of hostileRunEvents(itemId)) io.emit(event, payload)
  }

  const flood = ({ perSecond, seconds, firstId }: FloodOptions) =>
    new Promise<{ sent: number }>((resolve) => {
      const total = Math.round(perSecond * seconds)
      const perTick = Math.max(1, Math.round((perSecond * FLOOD_TICK_MS) / 1000))
      const progress = { sent: 0 }
      const tick = () => {
        if (state.closed) return resolve(progress)
        for (let i = 0; i < perTick && progress.sent < total; i += 1) {
          const itemId = firstId + progress.sent
          // Every tenth one starts a workflow run the page follows; the rest are queued canvas items.
          const origin = progress.sent % 10 === 0 ? 'workflows' : 'canvas'
          const status = progress.sent % 10 === 0 ? 'in_progress' : 'pending'
          io.emit('queue_item_status_changed', statusChanged(itemId, status, { origin }))
          progress.sent += 1
        }
        if (progress.sent >= total) return resolve(progress)
        later(tick, FLOOD_TICK_MS)
      }
      tick()
    })

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(0, '127.0.0.1', resolve)
  })

  const close = async () => {
    if (state.closed) return
    state.closed = true
    for (const timer of timers) clearTimeout(timer)
    clearTimeout(lifetime)
    io.disconnectSockets(true)
    for (const socket of connections) socket.destroy()
    await new Promise<void>((resolve) => io.close(() => resolve()))
  }
  const lifetime = setTimeout(() => void close(), lifetimeMs)
  lifetime.unref()

  return {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    setRest: (mode) => void (state.rest = mode),
    sendHostileRun,
    flood,
    close,
  }
}
