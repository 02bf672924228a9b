// HTTP routes: the InvokeAI queue endpoints under {base}/api/v1 and the simulator's control API under
// {base}/sim. JSON in and out; errors are {detail: string} with the matching status.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SimulatorError, unprocessable } from './errors'
import type { Operations } from './operations'
import type { DeliveryOptions, EnqueueBatchResult, ScenarioInfo } from './types'
import { parseDeliveryPatch, parseItemIds, parseScenarioRequest } from './validate'

const MAX_BODY_BYTES = 1_000_000

export interface RestDeps {
  basePath: string
  ops: Operations
  scenarios: readonly ScenarioInfo[]
  getDelivery(): DeliveryOptions
  setDelivery(options: DeliveryOptions): void
  disconnectClients(): void
  /** Resolves when the response of this enqueue may go out (see eventsBeforeEnqueueResponse). */
  beforeEnqueueResponse(result: EnqueueBatchResult): Promise<void>
  /** Called once the enqueue response was sent. */
  afterEnqueueResponse(result: EnqueueBatchResult): void
  serveStatic?: (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>
  authToken?: string
}

type Handler = (match: RegExpMatchArray, body: () => Promise<unknown>) => Promise<unknown> | unknown

interface Route {
  method: string
  pattern: RegExp
  handler: Handler
  /** Enqueue routes time their response around the run (see RestDeps). */
  enqueue?: boolean
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) reject(new SimulatorError(413, 'request body too large'))
      else chunks.push(chunk)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolve(undefined)
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(unprocessable('body is not valid JSON'))
      }
    })
    req.on('error', reject)
  })
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export function createRestHandler(deps: RestDeps) {
  const { ops } = deps
  const base = escape(deps.basePath)
  const queue = `${base}/api/v1/queue/([^/]+)`
  const itemId = (value: string | undefined) => {
    const id = Number(value)
    if (!Number.isSafeInteger(id)) throw unprocessable('item id must be an integer')
    return id
  }
  const queueOf = (match: RegExpMatchArray) => decodeURIComponent(match[1] ?? 'default')

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: new RegExp(`^${queue}/i/([^/]+)$`),
      handler: (m) => ops.get(queueOf(m), itemId(m[2])),
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^${queue}/i/([^/]+)/cancel$`),
      handler: (m) => ops.cancel(queueOf(m), itemId(m[2])),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${queue}/enqueue_batch$`),
      enqueue: true,
      handler: async (m, body) => ops.enqueue(await body(), queueOf(m), true),
    },
    { method: 'PUT', pattern: new RegExp(`^${queue}/clear$`), handler: (m) => ops.clear(queueOf(m)) },
    {
      method: 'PUT',
      pattern: new RegExp(`^${queue}/cancel_all_except_current$`),
      handler: (m) => ops.cancelAllExceptCurrent(queueOf(m)),
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^${queue}/retry_items_by_id$`),
      handler: async (m, body) => ops.retry(queueOf(m), parseItemIds(await body())),
    },
    { method: 'GET', pattern: new RegExp(`^${queue}/status$`), handler: (m) => ops.status(queueOf(m)) },
    { method: 'GET', pattern: new RegExp(`^${base}/sim/scenarios$`), handler: () => deps.scenarios },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/sim/enqueue$`),
      enqueue: true,
      handler: async (_m, body) => {
        const request = parseScenarioRequest(
          await body(),
          deps.scenarios.map((s) => s.name),
        )
        return ops.enqueueScenario(request.scenario, request, true)
      },
    },
    { method: 'GET', pattern: new RegExp(`^${base}/sim/delivery$`), handler: () => deps.getDelivery() },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/sim/delivery$`),
      handler: async (_m, body) => {
        deps.setDelivery(parseDeliveryPatch(await body(), deps.getDelivery()))
        return deps.getDelivery()
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/sim/disconnect$`),
      handler: () => {
        deps.disconnectClients()
        return { disconnected: true }
      },
    },
  ]

  const authorized = (req: IncomingMessage) =>
    !deps.authToken || req.headers.authorization === `Bearer ${deps.authToken}`

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname
    const method = req.method ?? 'GET'
    // The page may be served by a dev server on another port: allow cross-origin calls (loopback only).
    res.setHeader('access-control-allow-origin', '*')
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
        'access-control-allow-headers': 'content-type, authorization',
      })
      return res.end()
    }
    const matching = routes.filter((route) => pathname.match(route.pattern))
    const route = matching.find((r) => r.method === method)
    if (!route) {
      if (matching.length > 0) return sendJson(res, 405, { detail: 'Method Not Allowed' })
      if (deps.serveStatic && (await deps.serveStatic(req, res, pathname))) return
      return sendJson(res, 404, { detail: 'Not Found' })
    }
    if (!authorized(req)) return sendJson(res, 401, { detail: 'Not authenticated' })
    const match = pathname.match(route.pattern) as RegExpMatchArray
    const result = await route.handler(match, () => readJson(req))
    if (route.enqueue) {
      const enqueued = result as EnqueueBatchResult
      await deps.beforeEnqueueResponse(enqueued)
      // 'close' also fires when the client went away, so held rows are always released.
      res.once('close', () => deps.afterEnqueueResponse(enqueued))
    }
    sendJson(res, 200, result)
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy()
      if (error instanceof SimulatorError) return sendJson(res, error.status, { detail: error.message })
      sendJson(res, 500, { detail: error instanceof Error ? error.message : String(error) })
    })
  }
}
