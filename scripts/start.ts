/*
 * `npm start`: builds the live page, starts the InvokeAI-compatible simulator serving it on one local port,
 * and prints the URL. `npm start -- --server http://host:9090 [--token T]` serves the page against a real
 * InvokeAI server instead (its /api and /ws are forwarded, so the page talks to it same-origin). The
 * proxy adds the token to what it forwards; the page gets it in the URL's fragment (`#token=`, never sent
 * to a server nor in a Referer) for its socket's `auth`, and drops it from its URL once read.
 *
 * The simulator runs as InvokeAI main with multi-user on: its snapshot endpoints (`current`, `item_ids`,
 * `items_by_ids`) are on, so a reload hydrates the queue with what the server knows (the simulator's own
 * default stays off, which tests rely on), and a few demo users (DEMO_USERS) let the page's user switch
 * show redacted runs. A caller without a token is still the single-user `system` user, who sees everything.
 *
 * `--protocol comfyui` does the same for ComfyUI: the ComfyUI simulator (sim/comfyui) behind the page's
 * one port, or with `--server URL` a real ComfyUI, proxied same-origin (`/ws` upgrades included). The page
 * learns the protocol from the page this script serves: its index.html gets
 * `<meta name="workflow-execution-protocol" content="comfyui">` (and, in front of the simulator,
 * `<meta name="workflow-execution-simulator" content="comfyui">`, which turns on the delivery controls of
 * `GET|POST /sim/delivery` and `POST /sim/disconnect`, routes of this script, loopback only). A page
 * without the meta is the InvokeAI page.
 */
import { promises as fs } from 'node:fs'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'vite'
import { startSimulator } from '../sim'
import { startComfySimulator, type ComfySimulator } from '../sim/comfyui'
import { createStaticHandler } from '../sim/static'
import { startProxy, type ProxyProtocol } from './proxy'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '9090' },
    server: { type: 'string' },
    token: { type: 'string' },
    // Which server the page talks to: 'invokeai' (default) or 'comfyui'.
    protocol: { type: 'string', default: 'invokeai' },
    'skip-build': { type: 'boolean', default: false },
    // Where the page is built to and served from (default web/dist): tests build a page of their own.
    'page-dir': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
})

const USAGE =
  'usage: npm start -- [--protocol invokeai|comfyui] [--port 9090] [--server http://host:9090] ' +
  '[--token TOKEN] [--skip-build] [--page-dir DIR]'

if (values.help) {
  console.log(USAGE)
  process.exit(0)
}

const isProtocol = (value: string): value is ProxyProtocol => value === 'invokeai' || value === 'comfyui'
if (!isProtocol(values.protocol)) {
  console.error(`--protocol must be invokeai or comfyui, got: ${values.protocol}\n${USAGE}`)
  process.exit(2)
}
const protocol: ProxyProtocol = values.protocol

const port = Number(values.port)
const webDir = fileURLToPath(new URL('../web/', import.meta.url))
const pageDir = values['page-dir']
const staticDir = pageDir ? resolve(pageDir) : fileURLToPath(new URL('../web/dist/', import.meta.url))

if (!values['skip-build']) {
  console.log('building the page…')
  await build({
    configFile: `${webDir}vite.config.ts`,
    logLevel: 'warn',
    ...(pageDir ? { build: { outDir: staticDir, emptyOutDir: true } } : {}),
  })
}

type ServeStatic = (request: IncomingMessage, response: ServerResponse, pathname: string) => void

/** The page's files; a file that is not there is a 404, a failure a 500. */
function staticFiles(): ServeStatic {
  const serve = createStaticHandler(staticDir)
  return (request, response, pathname) => {
    serve(request, response, pathname).then(
      (served) => {
        if (!served) response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      },
      (error: unknown) => {
        if (response.headersSent) return void response.destroy()
        response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error))
      },
    )
  }
}

/** The metas that tell the page which server it is served by (see the header comment). */
function pageMetas(simulator: boolean): string {
  const metas = [`<meta name="workflow-execution-protocol" content="${protocol}" />`]
  if (simulator) metas.push(`<meta name="workflow-execution-simulator" content="${protocol}" />`)
  return metas.join('')
}

/**
 * The page's files, its index.html with the protocol's metas added: the page learns whom it talks to from
 * the page itself, with no request of its own (and no failing probe in the console).
 */
function pageWithProtocol(simulator: boolean): ServeStatic {
  const files = staticFiles()
  const metas = pageMetas(simulator)
  return (request, response, pathname) => {
    const isPage = pathname === '/' || pathname === '/index.html'
    if (!isPage || (request.method !== 'GET' && request.method !== 'HEAD'))
      return files(request, response, pathname)
    fs.readFile(join(staticDir, 'index.html'), 'utf8').then(
      (html) => {
        const body = Buffer.from(
          html.includes('</head>') ? html.replace('</head>', `${metas}</head>`) : metas + html,
        )
        response.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-length': body.length,
          'cache-control': 'no-cache',
          'referrer-policy': 'no-referrer',
        })
        response.end(request.method === 'HEAD' ? undefined : body)
      },
      () => void response.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
    )
  }
}

/** A server's `close`, also ending its open connections (kept-alive requests, forwarded WebSockets). */
function closable(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  return () =>
    new Promise((done) => {
      server.close(() => done())
      for (const socket of sockets) socket.destroy()
    })
}

async function serveAgainstServer(target: string): Promise<() => Promise<void>> {
  const server = await startProxy({
    target,
    port,
    token: values.token,
    protocol,
    // The proxy has parsed the request target already (a malformed one is its 400).
    serveStatic: protocol === 'comfyui' ? pageWithProtocol(false) : staticFiles(),
  })
  const fragment = values.token ? `#token=${encodeURIComponent(values.token)}` : ''
  const listening = (server.address() as AddressInfo).port
  const label = protocol === 'comfyui' ? 'ComfyUI live page' : 'live page'
  console.log(`${label} for ${target}: http://127.0.0.1:${listening}/${fragment}`)
  return closable(server)
}

/** Token → user id: the page lists them through `GET /sim/users` (no secrets: a loopback demo). */
const DEMO_USERS: Record<string, string> = { 'tok-alice': 'alice', 'tok-bob': 'bob', 'tok-admin': 'admin' }

async function serveWithSimulator(): Promise<() => Promise<void>> {
  const sim = await startSimulator({
    port,
    staticDir,
    features: { snapshotEndpoints: true },
    users: DEMO_USERS,
  })
  console.log(`simulator and live page: ${sim.url}/`)
  return () => sim.close()
}

const MAX_CONTROL_BODY_BYTES = 16 * 1024
const LOOPBACK_ADDRESS = /^(?:127\.|::1$|::ffff:127\.)/

function answerJson(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  })
  response.end(text)
}

/** A JSON body of at most MAX_CONTROL_BODY_BYTES; an empty one is `{}`. */
function jsonBody(request: IncomingMessage): Promise<unknown> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_CONTROL_BODY_BYTES) {
        fail(new Error(`a body of more than ${MAX_CONTROL_BODY_BYTES} bytes`))
        request.destroy()
      } else chunks.push(chunk)
    })
    request.on('error', fail)
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim()
      try {
        done(text === '' ? {} : (JSON.parse(text) as unknown))
      } catch {
        fail(new Error('the body is not JSON'))
      }
    })
  })
}

/**
 * The ComfyUI simulator's controls, which it has only as functions: `GET /sim/delivery` (the delivery),
 * `POST /sim/delivery` (a partial delivery, validated by the simulator; answers the whole of it) and
 * `POST /sim/disconnect` (cuts every socket). Reached only through the proxy's checks (Host, Origin and
 * Sec-Fetch-Site of the page's own origin) and from loopback; anything else goes to `next`.
 */
function comfyControls(sim: ComfySimulator, next: ServeStatic): ServeStatic {
  return (request, response, pathname) => {
    if (pathname !== '/sim/delivery' && pathname !== '/sim/disconnect')
      return next(request, response, pathname)
    if (!LOOPBACK_ADDRESS.test(request.socket.remoteAddress ?? ''))
      return answerJson(response, 403, { detail: 'loopback only' })
    if (pathname === '/sim/delivery' && request.method === 'GET')
      return answerJson(response, 200, sim.getDelivery())
    if (request.method !== 'POST') return answerJson(response, 405, { detail: 'method not allowed' })
    if (pathname === '/sim/disconnect') {
      sim.disconnectClients()
      return answerJson(response, 200, { disconnected: true })
    }
    jsonBody(request).then(
      (patch) => {
        try {
          answerJson(response, 200, sim.setDelivery(patch as Parameters<ComfySimulator['setDelivery']>[0]))
        } catch (error) {
          answerJson(response, 400, { detail: error instanceof Error ? error.message : String(error) })
        }
      },
      (error: unknown) =>
        answerJson(response, 400, { detail: error instanceof Error ? error.message : String(error) }),
    )
  }
}

/**
 * The ComfyUI simulator (on a loopback port of its own) behind the page's one port: the proxy forwards
 * ComfyUI's routes and `/ws` to it, as it does to a real ComfyUI, and serves the page and the controls.
 */
async function serveWithComfySimulator(): Promise<() => Promise<void>> {
  const sim = await startComfySimulator({ port: 0 })
  const front = await startProxy({
    target: sim.url,
    port,
    protocol: 'comfyui',
    serveStatic: comfyControls(sim, pageWithProtocol(true)),
  }).catch(async (error: unknown) => {
    await sim.close()
    throw error
  })
  const closeFront = closable(front)
  console.log(`ComfyUI simulator and live page: http://127.0.0.1:${(front.address() as AddressInfo).port}/`)
  return async () => {
    await Promise.all([closeFront(), sim.close()])
  }
}

const stop = values.server
  ? await serveAgainstServer(values.server)
  : protocol === 'comfyui'
    ? await serveWithComfySimulator()
    : await serveWithSimulator()

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stop().then(() => process.exit(0)))
}
