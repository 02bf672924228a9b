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
 */
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'vite'
import { startSimulator } from '../sim'
import { createStaticHandler } from '../sim/static'
import { startProxy } from './proxy'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '9090' },
    server: { type: 'string' },
    token: { type: 'string' },
    'skip-build': { type: 'boolean', default: false },
    // Where the page is built to and served from (default web/dist): tests build a page of their own.
    'page-dir': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
})

if (values.help) {
  console.log(
    'usage: npm start -- [--port 9090] [--server http://host:9090] [--token TOKEN] [--skip-build] [--page-dir DIR]',
  )
  process.exit(0)
}

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

async function serveAgainstServer(target: string): Promise<() => Promise<void>> {
  const serve = createStaticHandler(staticDir)
  const server = await startProxy({
    target,
    port,
    token: values.token,
    // The proxy has parsed the request target already (a malformed one is its 400).
    serveStatic: (request, response, pathname) => {
      serve(request, response, pathname).then(
        (served) => {
          if (!served) response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
        },
        (error: unknown) => {
          if (response.headersSent) return void response.destroy()
          response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error))
        },
      )
    },
  })
  const fragment = values.token ? `#token=${encodeURIComponent(values.token)}` : ''
  const listening = (server.address() as AddressInfo).port
  console.log(`live page for ${target}: http://127.0.0.1:${listening}/${fragment}`)
  return () => new Promise((resolve) => server.close(() => resolve()))
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

const stop = values.server ? await serveAgainstServer(values.server) : await serveWithSimulator()

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stop().then(() => process.exit(0)))
}
