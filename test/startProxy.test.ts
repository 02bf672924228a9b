import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { io } from 'socket.io-client'
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../sim'
import { startProxy } from '../scripts/proxy'
import { rawExchange, upgradeRequest } from './helpers/rawHttp'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

describe('npm start -- --server: the page is served and the real server is forwarded same-origin', () => {
  it('forwards REST with the token and upgrades socket.io through to the server, and serves the page itself', async () => {
    const server = await startSimulator({ stepDelayMs: 1, authToken: 'secret' })
    cleanups.push(() => server.close())
    const proxy = await startProxy({
      target: server.url,
      port: 0,
      token: 'secret',
      serveStatic: (_request, response) =>
        void response.writeHead(200, { 'content-type': 'text/html' }).end('page'),
    })
    cleanups.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())))
    const address = proxy.address()
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

    expect(await (await fetch(`${base}/`)).text()).toBe('page')
    const status = await fetch(`${base}/api/v1/queue/default/status`)
    expect(status.status).toBe(200)
    expect(await status.json()).toMatchObject({ queue: { queue_id: 'default' } })

    const socket = io(base, { path: '/ws/socket.io', transports: ['websocket'], auth: { token: 'secret' } })
    cleanups.push(() => void socket.close())
    const statuses: string[] = []
    socket.on('queue_item_status_changed', (payload: { status: string }) => statuses.push(payload.status))
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('connect_error', reject)
    })
    socket.emit('subscribe_queue', { queue_id: 'default' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const { item_ids } = server.enqueueScenario('simple')
    await server.whenSettled(item_ids[0] as number)
    const deadline = Date.now() + 5_000
    while (!statuses.includes('completed') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10))
    expect(statuses).toContain('in_progress')
    expect(statuses).toContain('completed')
  })

  it('answers 502 with a JSON reason when the server is down', async () => {
    const proxy = await startProxy({
      target: 'http://127.0.0.1:9',
      port: 0,
      serveStatic: (_request, response) => void response.end(),
    })
    cleanups.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())))
    const address = proxy.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/queue/default/status`)
    expect(response.status).toBe(502)
    expect((await response.json()).detail).toMatch(/^upstream http:\/\/127\.0\.0\.1:9/)
  })
})

/** A server that misbehaves on purpose, on loopback; it records what reached it. */
async function startUpstream() {
  const seen: { path: string; headers: IncomingHttpHeaders; upgrade: boolean }[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers, upgrade: false })
    if (req.url === '/api/silent') return // never answers
    if (req.url === '/api/cut') {
      // Promises 1,000 bytes, sends 10, then goes away.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 1000 })
      res.write('0123456789', () => setTimeout(() => req.socket.destroy(), 20))
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  // An upgrade it never answers.
  server.on('upgrade', (req) => seen.push({ path: req.url ?? '', headers: req.headers, upgrade: true }))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close }
}

async function proxyFor(target: string, extra: { upstreamTimeoutMs?: number } = {}) {
  const paths: string[] = []
  const proxy = await startProxy({
    target,
    port: 0,
    token: 'secret',
    ...extra,
    serveStatic: (_request, response, pathname) => {
      paths.push(pathname)
      response.writeHead(200, { 'content-type': 'text/html' }).end('page')
    },
  })
  cleanups.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())))
  const port = (proxy.address() as AddressInfo).port
  return { port, base: `http://127.0.0.1:${port}`, paths }
}

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** A request with exactly these headers (fetch would not let a test set Host), answered within 3 s. */
function call(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, timeout: 3_000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      )
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} in 3 s`)))
    req.on('error', reject)
    req.end()
  })
}

describe('the proxy against a hostile or broken peer', () => {
  it('answers 400 to malformed request targets, upgrades included, and keeps serving', async () => {
    const upstream = await startUpstream()
    cleanups.push(upstream.close)
    const { port } = await proxyFor(upstream.url)
    const host = `Host: 127.0.0.1:${port}\r\n`
    for (const target of ['//a:99999/', '//[', '//a:99999/api/x', '/\\evil.test/api/x']) {
      const plain = await rawExchange(port, `GET ${target} HTTP/1.1\r\n${host}Connection: close\r\n\r\n`)
      expect(plain, target).toMatch(/^HTTP\/1\.1 400 /)
      expect(await rawExchange(port, upgradeRequest(target, host)), `upgrade ${target}`).toMatch(
        /^HTTP\/1\.1 400 /,
      )
    }
    expect(upstream.seen).toEqual([])
    expect((await call(port, '/')).body).toBe('page')
  })

  it('forwards, with the token, only what is addressed to it from its own page: else 403, nothing forwarded', async () => {
    const upstream = await startUpstream()
    cleanups.push(upstream.close)
    const { port, paths } = await proxyFor(upstream.url)
    const own = `127.0.0.1:${port}`

    const foreign: Record<string, string>[] = [
      { host: `evil.test:${port}` }, // a rebound DNS name
      { host: `evil.test:${port}`, origin: `http://evil.test:${port}` },
      { host: `127.0.0.1:${port + 1}` },
      { host: own, origin: 'http://evil.test' }, // another page
      { host: own, origin: `http://localhost:${port}` }, // not the origin it was addressed as
      { host: own, origin: 'null' },
    ]
    for (const headers of foreign) {
      const refused = await call(port, '/api/record', headers)
      expect(refused.status, JSON.stringify(headers)).toBe(403)
      expect(JSON.parse(refused.body).detail).toMatch(/is not this/)
      expect((await call(port, '/', headers)).status).toBe(403)
      const upgrade = await rawExchange(
        port,
        upgradeRequest(
          '/ws/socket.io/?EIO=4&transport=websocket',
          Object.entries(headers)
            .map(([name, value]) => `${name}: ${value}\r\n`)
            .join(''),
        ),
      )
      expect(upgrade, `upgrade ${JSON.stringify(headers)}`).toMatch(/^HTTP\/1\.1 403 /)
    }
    expect(upstream.seen).toEqual([])
    expect(paths).toEqual([])

    const mine: Record<string, string>[] = [
      { host: own },
      { host: own, origin: `http://${own}` },
      { host: `localhost:${port}`, origin: `http://localhost:${port}` },
    ]
    for (const headers of mine) {
      const forwarded = await call(port, '/api/record', headers)
      expect(forwarded.status, JSON.stringify(headers)).toBe(200)
      expect(JSON.parse(forwarded.body)).toEqual({ authorization: 'Bearer secret' })
    }
    // To the server, they are its own page's requests.
    expect(upstream.seen.map((s) => [s.headers.host, s.headers.origin])).toEqual([
      [new URL(upstream.url).host, undefined],
      [new URL(upstream.url).host, upstream.url],
      [new URL(upstream.url).host, upstream.url],
    ])
  })

  it('answers 504 when the server does not answer in time, requests and upgrades', async () => {
    const upstream = await startUpstream()
    cleanups.push(upstream.close)
    const { port } = await proxyFor(upstream.url, { upstreamTimeoutMs: 200 })
    const started = Date.now()
    const silent = await call(port, '/api/silent', { host: `127.0.0.1:${port}` })
    expect(silent.status).toBe(504)
    expect(JSON.parse(silent.body).detail).toMatch(/no answer within 200 ms/)
    const upgrade = await rawExchange(
      port,
      upgradeRequest('/ws/socket.io/?EIO=4&transport=websocket', `Host: 127.0.0.1:${port}\r\n`),
    )
    expect(upgrade).toMatch(/^HTTP\/1\.1 504 /)
    expect(Date.now() - started).toBeLessThan(2_500)
    expect(upstream.seen.map((s) => [s.path, s.upgrade])).toEqual([
      ['/api/silent', false],
      ['/ws/socket.io/?EIO=4&transport=websocket', true],
    ])
  })

  it('ends the client response when the server goes away mid-body, instead of leaving it hanging', async () => {
    const upstream = await startUpstream()
    cleanups.push(upstream.close)
    const { base } = await proxyFor(upstream.url)
    const response = await fetch(`${base}/api/cut`, { signal: AbortSignal.timeout(3_000) })
    expect(response.status).toBe(200)
    const outcome = await response.text().then(
      (text) => `complete: ${text}`,
      (error: Error) => (error.name === 'TimeoutError' ? 'hung' : 'cut'),
    )
    expect(outcome).toBe('cut')
  })

  it('sends its page with Referrer-Policy: no-referrer, and hands serveStatic the parsed path', async () => {
    const upstream = await startUpstream()
    cleanups.push(upstream.close)
    const { port, paths } = await proxyFor(upstream.url)
    const page = await call(port, '/assets/app.js?v=1', { host: `127.0.0.1:${port}` })
    expect(page.status).toBe(200)
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect(paths).toEqual(['/assets/app.js'])
  })
})
