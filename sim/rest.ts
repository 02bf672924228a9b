// HTTP routes: the InvokeAI queue endpoints under {base}/api/v1 and the simulator's control API under
// {base}/sim. JSON in and out; errors are {detail: string} with the matching status. The caller is the
// user of its `Authorization: Bearer <token>` (see users.ts). Same-origin by default (see http.ts): a
// malformed request target is a 400, a foreign Host or (for POST/PUT) Origin a 403, a non-JSON body a 415.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SimulatorError, unprocessable } from './errors'
import { isStateChanging, jsonBodyRefusal, parseRequestTarget, type OriginPolicy } from './http'
import type { Operations } from './operations'
import type {
  DeliveryOptions,
  EnqueueBatchResult,
  RestartOptions,
  ScenarioInfo,
  ServerFeatures,
} from './types'
import { bearerToken } from './users'
import type { Identities, Identity } from './users'
import {
  parseDeliveryPatch,
  parseFeaturesPatch,
  parseItemIds,
  parseItemsByIdsBody,
  parseOrderDir,
  parseRestartOptions,
  parseScenarioRequest,
} from './validate'

const MAX_BODY_BYTES = 1_000_000

export interface RestDeps {
  basePath: string
  ops: Operations
  scenarios: readonly ScenarioInfo[]
  getDelivery(): DeliveryOptions
  setDelivery(options: DeliveryOptions): void
  disconnectClients(): void
  getFeatures(): ServerFeatures
  setFeatures(features: ServerFeatures): void
  /** Called once the restart request was answered (the restart drops that connection too). */
  restart(options: Required<RestartOptions>): void
  /** Resolves when the response of this enqueue may go out (see eventsBeforeEnqueueResponse). */
  beforeEnqueueResponse(result: EnqueueBatchResult): Promise<void>
  /** Called once the enqueue response was sent. */
  afterEnqueueResponse(result: EnqueueBatchResult): void
  serveStatic?: (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>
  /** The image endpoints (imageRoutes.ts): true when the path was one of them and was answered. */
  serveImages?: (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean
  identities: Identities
  /** Who may call from another origin (same-origin only unless the simulator's `cors` opts in). */
  origins: OriginPolicy
}

interface Call {
  match: RegExpMatchArray
  query: URLSearchParams
  viewer: Identity
  body(): Promise<unknown>
}

type Handler = (call: Call) => Promise<unknown> | unknown

interface Route {
  method: string
  pattern: RegExp
  handler: Handler
  /** Enqueue routes time their response around the run (see RestDeps). */
  enqueue?: boolean
  /** Runs once the response went out. */
  afterResponse?: (result: unknown) => void
  /** Offered only while this feature is on (otherwise 404, like a server without the route). */
  feature?: keyof ServerFeatures
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
  const queueOf = (call: Call) => {
    try {
      return decodeURIComponent(call.match[1] ?? 'default')
    } catch {
      throw new SimulatorError(400, 'malformed request target')
    }
  }

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: new RegExp(`^${queue}/i/([^/]+)$`),
      handler: (c) => ops.get(queueOf(c), itemId(c.match[2]), c.viewer),
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^${queue}/i/([^/]+)/cancel$`),
      handler: (c) => ops.cancel(queueOf(c), itemId(c.match[2]), c.viewer),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${queue}/current$`),
      feature: 'snapshotEndpoints',
      handler: (c) => ops.current(queueOf(c), c.viewer),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^${queue}/item_ids$`),
      feature: 'snapshotEndpoints',
      handler: (c) => ops.itemIds(queueOf(c), parseOrderDir(c.query.get('order_dir'))),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${queue}/items_by_ids$`),
      feature: 'snapshotEndpoints',
      handler: async (c) => ops.itemsByIds(queueOf(c), parseItemsByIdsBody(await c.body()), c.viewer),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${queue}/enqueue_batch$`),
      enqueue: true,
      // The items belong to the caller, as on a multi-user server.
      handler: async (c) => ops.enqueue(await c.body(), queueOf(c), true, c.viewer.userId),
    },
    { method: 'PUT', pattern: new RegExp(`^${queue}/clear$`), handler: (c) => ops.clear(queueOf(c)) },
    {
      method: 'PUT',
      pattern: new RegExp(`^${queue}/cancel_all_except_current$`),
      handler: (c) => ops.cancelAllExceptCurrent(queueOf(c)),
    },
    {
      method: 'PUT',
      pattern: new RegExp(`^${queue}/retry_items_by_id$`),
      handler: async (c) => ops.retry(queueOf(c), parseItemIds(await c.body())),
    },
    { method: 'GET', pattern: new RegExp(`^${queue}/status$`), handler: (c) => ops.status(queueOf(c)) },
    { method: 'GET', pattern: new RegExp(`^${base}/sim/scenarios$`), handler: () => deps.scenarios },
    // The demo page's user switch: tokens are no secret on a loopback simulator (see users.ts).
    { method: 'GET', pattern: new RegExp(`^${base}/sim/users$`), handler: () => deps.identities.list() },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/sim/enqueue$`),
      enqueue: true,
      handler: async (c) => {
        const request = parseScenarioRequest(
          await c.body(),
          deps.scenarios.map((s) => s.name),
        )
        return ops.enqueueScenario(
          request.scenario,
          { ...request, userId: request.userId ?? c.viewer.userId },
          true,
        )
      },
    },
    { method: 'GET', pattern: new RegExp(`^${base}/sim/delivery$`), handler: () => deps.getDelivery() },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/sim/delivery$`),
      handler: async (c) => {
        deps.setDelivery(parseDeliveryPatch(await c.body(), deps.getDelivery()))
        return deps.getDelivery()
      },
    },
    { method: 'GET', pattern: new RegExp(`^${base}/sim/features$`), handler: () => deps.getFeatures() },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/sim/features$`),
      handler: async (c) => {
        deps.setFeatures(parseFeaturesPatch(await c.body(), deps.getFeatures()))
        return deps.getFeatures()
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${base}/sim/restart$`),
      handler: async (c) => ({ restarting: true, ...parseRestartOptions(await c.body()) }),
      afterResponse: (result) => {
        const { downtimeMs } = result as Required<RestartOptions>
        deps.restart({ downtimeMs })
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

  const offered = (route: Route) => !route.feature || deps.getFeatures()[route.feature]

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = parseRequestTarget(req.url)
    if (!url) return sendJson(res, 400, { detail: 'malformed request target' })
    const pathname = url.pathname
    const method = req.method ?? 'GET'
    // A foreign Host is refused on every method; a foreign Origin on state-changing ones (and preflights).
    const refusal = deps.origins.refusal(req, isStateChanging(method) || method === 'OPTIONS')
    if (refusal) return sendJson(res, 403, { detail: refusal })
    const cors = deps.origins.corsHeaders(req)
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value)
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        allow: 'GET, POST, PUT, OPTIONS',
        ...(cors['access-control-allow-origin']
          ? {
              'access-control-allow-methods': 'GET, POST, PUT, OPTIONS',
              'access-control-allow-headers': 'content-type, authorization',
            }
          : {}),
      })
      return res.end()
    }
    const matching = routes.filter((route) => offered(route) && pathname.match(route.pattern))
    const route = matching.find((r) => r.method === method)
    if (!route) {
      if (matching.length > 0) return sendJson(res, 405, { detail: 'Method Not Allowed' })
      if (deps.serveImages?.(req, res, pathname)) return
      if (deps.serveStatic && (await deps.serveStatic(req, res, pathname))) return
      return sendJson(res, 404, { detail: 'Not Found' })
    }
    // JSON bodies only: a form or text/plain POST, which any page may send without a preflight, is refused.
    const unsupported = isStateChanging(method) ? jsonBodyRefusal(req) : null
    if (unsupported) return sendJson(res, 415, { detail: unsupported })
    const viewer = deps.identities.resolve(bearerToken(req.headers.authorization))
    if (!viewer) return sendJson(res, 401, { detail: 'Not authenticated' })
    const match = pathname.match(route.pattern) as RegExpMatchArray
    const result = await route.handler({ match, query: url.searchParams, viewer, body: () => readJson(req) })
    const after = route.afterResponse
    if (after) res.once('close', () => after(result))
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
