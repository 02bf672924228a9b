// The REST routes of docs/comfyui.md §4, each at `/x` and `/api/x`. Same-origin as sim's own server
// (a foreign Host is refused, a foreign Origin on POST), but any content type is read as JSON, as core
// reads it: scripts post prompts without one.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SimulatorError } from '../errors'
import { isStateChanging, parseRequestTarget } from '../http'
import type { OriginPolicy } from '../http'
import { ComfyPromptError } from './errors'
import type { History } from './history'
import type { ComfyImageStore } from './images'
import { jobDetail, listJobs } from './jobs'
import type { JobSources } from './jobs'
import type { JsonObject, PromptResponse, QueueTuple } from './types'

const MAX_BODY_BYTES = 10_000_000

export interface RestDeps {
  submit(body: unknown): PromptResponse
  queueRemaining(): number
  queue(): { queue_running: QueueTuple[]; queue_pending: QueueTuple[] }
  /** Removes pending prompts (never the running one). */
  deletePending(promptIds: string[]): void
  clearPending(): void
  interrupt(promptId?: string): boolean
  /** Interrupts it if running, dequeues it if pending; false otherwise. */
  cancelJob(promptId: string): boolean
  history: History
  jobs: JobSources
  images: ComfyImageStore
  features(): JsonObject
  serveStatic?: (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>
  origins: OriginPolicy
}

type Reply = { status: number; json?: unknown; png?: Buffer; filename?: string }

interface Call {
  match: RegExpMatchArray
  query: URLSearchParams
  body(): Promise<unknown>
}

interface Route {
  method: 'GET' | 'POST'
  pattern: RegExp
  handler(call: Call): Promise<Reply> | Reply
}

const ok = (json?: unknown): Reply => ({ status: 200, json })

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const size = { bytes: 0 }
    req.on('data', (chunk: Buffer) => {
      size.bytes += chunk.length
      if (size.bytes > MAX_BODY_BYTES) reject(new SimulatorError(413, 'request body too large'))
      else chunks.push(chunk)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolve(undefined)
      try {
        resolve(JSON.parse(text))
      } catch {
        reject(new SimulatorError(400, 'body is not valid JSON'))
      }
    })
    req.on('error', reject)
  })
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const stringsOf = (value: unknown) =>
  Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : []

function send(res: ServerResponse, reply: Reply) {
  if (reply.png) {
    res.writeHead(reply.status, {
      'content-type': 'image/png',
      'content-length': reply.png.length,
      'content-disposition': `filename="${reply.filename ?? 'image.png'}"`,
    })
    return res.end(reply.png)
  }
  if (reply.json === undefined) {
    res.writeHead(reply.status, { 'content-length': 0 })
    return res.end()
  }
  const body = JSON.stringify(reply.json)
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}

/** aiohttp's plain-text answers for what no route takes. */
function sendText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  })
  res.end(text)
}

const integerQuery = (query: URLSearchParams, name: string): number | null => {
  const raw = query.get(name)
  if (raw === null || raw === '') return null
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < 0)
    throw new SimulatorError(400, `${name} must be a non-negative integer`)
  return value
}

export function createRestHandler(deps: RestDeps) {
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/prompt$/,
      handler: () => ok({ exec_info: { queue_remaining: deps.queueRemaining() } }),
    },
    {
      method: 'POST',
      pattern: /^\/prompt$/,
      async handler(call) {
        try {
          return ok(deps.submit(await call.body()))
        } catch (error) {
          if (error instanceof ComfyPromptError) return { status: 400, json: error.body }
          if (error instanceof SimulatorError && error.status === 400) {
            return { status: 400, json: new ComfyPromptError('invalid_prompt', error.message).body }
          }
          throw error
        }
      },
    },
    { method: 'GET', pattern: /^\/queue$/, handler: () => ok(deps.queue()) },
    {
      method: 'POST',
      pattern: /^\/queue$/,
      async handler(call) {
        const body = (await call.body()) ?? {}
        if (!isObject(body)) throw new SimulatorError(400, 'body must be an object')
        if (body['clear'] === true) deps.clearPending()
        if ('delete' in body) deps.deletePending(stringsOf(body['delete']))
        return ok()
      },
    },
    {
      method: 'POST',
      pattern: /^\/interrupt$/,
      async handler(call) {
        const body = (await call.body()) ?? {}
        const promptId =
          isObject(body) && typeof body['prompt_id'] === 'string' ? body['prompt_id'] : undefined
        deps.interrupt(promptId)
        return ok()
      },
    },
    {
      method: 'GET',
      pattern: /^\/history$/,
      handler: (call) =>
        ok(
          Object.fromEntries(
            deps.history.list(integerQuery(call.query, 'max_items'), integerQuery(call.query, 'offset')),
          ),
        ),
    },
    {
      method: 'GET',
      pattern: /^\/history\/([^/]+)$/,
      handler(call) {
        const id = decodeURIComponent(call.match[1] ?? '')
        const entry = deps.history.get(id)
        // Unknown (queued, running, deleted, evicted): an empty object with 200, not a 404.
        return ok(entry ? { [id]: entry } : {})
      },
    },
    {
      method: 'POST',
      pattern: /^\/history$/,
      async handler(call) {
        const body = (await call.body()) ?? {}
        if (!isObject(body)) throw new SimulatorError(400, 'body must be an object')
        if (body['clear'] === true) deps.history.clear()
        for (const id of stringsOf(body['delete'])) deps.history.delete(id)
        return ok()
      },
    },
    { method: 'GET', pattern: /^\/jobs$/, handler: (call) => ok(listJobs(deps.jobs, call.query)) },
    {
      method: 'POST',
      pattern: /^\/jobs\/cancel$/,
      async handler(call) {
        const body = (await call.body()) ?? {}
        const ids = isObject(body) ? body['job_ids'] : undefined
        if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
          return { status: 400, json: { error: 'job_ids must be a list of ids', invalid_ids: ids ?? null } }
        }
        const cancelled = ids.map((id: string) => deps.cancelJob(id)).some(Boolean)
        return ok({ cancelled })
      },
    },
    {
      method: 'GET',
      pattern: /^\/jobs\/([^/]+)$/,
      handler(call) {
        const job = jobDetail(deps.jobs, decodeURIComponent(call.match[1] ?? ''))
        return job ? ok(job) : { status: 404, json: { error: 'Job not found' } }
      },
    },
    {
      method: 'POST',
      pattern: /^\/jobs\/([^/]+)\/cancel$/,
      // 200 with false for an unknown or finished job, as local core answers.
      handler: (call) => ok({ cancelled: deps.cancelJob(decodeURIComponent(call.match[1] ?? '')) }),
    },
    {
      method: 'GET',
      pattern: /^\/view$/,
      handler(call) {
        const filename = call.query.get('filename')
        if (!filename || filename.startsWith('/') || filename.includes('..')) return { status: 400 }
        const png = deps.images.png(
          call.query.get('type') ?? 'output',
          call.query.get('subfolder') ?? '',
          filename,
        )
        return png ? { status: 200, png, filename } : { status: 404 }
      },
    },
    { method: 'GET', pattern: /^\/features$/, handler: () => ok(deps.features()) },
  ]

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = parseRequestTarget(req.url)
    if (!url) return sendText(res, 400, '400: Bad Request')
    const method = req.method ?? 'GET'
    const refusal = deps.origins.refusal(req, isStateChanging(method))
    if (refusal) return sendText(res, 403, refusal)
    // Every route is served bare and under /api, as core registers them.
    const pathname = url.pathname.startsWith('/api/') ? url.pathname.slice(4) : url.pathname
    if (pathname === '/ws') return sendText(res, 400, 'No WebSocket UPGRADE hdr')
    const matching = routes.filter((route) => route.pattern.test(pathname))
    const route = matching.find(
      (candidate) => candidate.method === method || (method === 'HEAD' && candidate.method === 'GET'),
    )
    if (!route) {
      if (matching.length > 0) return sendText(res, 405, '405: Method Not Allowed')
      if (deps.serveStatic && (await deps.serveStatic(req, res, url.pathname))) return
      return sendText(res, 404, '404: Not Found')
    }
    const reply = await route.handler({
      match: pathname.match(route.pattern) as RegExpMatchArray,
      query: url.searchParams,
      body: () => readJson(req),
    })
    send(res, reply)
  }

  return (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy()
      if (error instanceof SimulatorError)
        return send(res, { status: error.status, json: { error: error.message } })
      if (error instanceof URIError) return sendText(res, 400, '400: Bad Request')
      send(res, { status: 500, json: { error: error instanceof Error ? error.message : String(error) } })
    })
  }
}
