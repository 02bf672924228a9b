// The simulator's HTTP surface against a hostile or broken peer: malformed request targets, other pages
// (a foreign Origin), rebound DNS names (a foreign Host) and non-JSON bodies.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { Simulator, SimulatorOptions } from '../types'
import { api, connect } from './helpers'
import type { TestClient } from './helpers'
import { rawExchange, upgradeRequest } from '../../test/helpers/rawHttp'

const open: { sim?: Simulator; clients: TestClient[] } = { clients: [] }

afterEach(async () => {
  open.clients.splice(0).forEach((client) => client.close())
  await open.sim?.close()
  open.sim = undefined
})

async function setup(options: SimulatorOptions = {}) {
  open.sim = await startSimulator({ stepDelayMs: 2, ...options })
  return open.sim
}

const EVIL = 'http://evil.test'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A request with exactly these headers (fetch would not let a test set Host). */
function call(
  sim: Simulator,
  method: string,
  rawPath: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: sim.port, method, path: rawPath, headers, timeout: 2_000 },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        )
      },
    )
    req.on('timeout', () => req.destroy(new Error('no answer in 2 s')))
    req.on('error', reject)
    req.end(body)
  })
}

const json = { 'content-type': 'application/json' }
const chaosOn = JSON.stringify({ chaos: { seed: 1, dropRate: 1 } })

describe('malformed request targets', () => {
  it('answers 400 to each, upgrades included, and keeps serving', async () => {
    const sim = await setup()
    for (const target of ['//a:99999/', '//[', '//a:99999/api/v1/queue/default/status', '/\\evil.test/']) {
      const plain = await rawExchange(
        sim.port,
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      )
      expect(plain, target).toMatch(/^HTTP\/1\.1 400 /)
      expect(plain).toContain('malformed request target')
      const upgrade = await rawExchange(sim.port, upgradeRequest(target, 'Host: 127.0.0.1\r\n'))
      expect(upgrade, `upgrade ${target}`).toMatch(/^HTTP\/1\.1 400 /)
    }
    // A bad percent-escape in a path parameter is the caller's error, not the server's.
    expect((await api(sim, 'GET', '/api/v1/queue/%E0%A4%A/status')).status).toBe(400)
    expect((await api(sim, 'GET', '/sim/scenarios')).status).toBe(200)
  })
})

describe('same-origin by default', () => {
  it('sends no CORS header, and refuses a POST, PUT or preflight from another origin with 403', async () => {
    const sim = await setup()
    const read = await call(sim, 'GET', '/sim/delivery', { origin: EVIL })
    expect(read.status).toBe(200)
    expect(read.headers['access-control-allow-origin']).toBeUndefined()

    const post = await call(sim, 'POST', '/sim/delivery', { origin: EVIL, ...json }, chaosOn)
    expect(post.status).toBe(403)
    expect(JSON.parse(post.body).detail).toMatch(/evil\.test/)
    expect(sim.getDelivery().chaos).toBeNull()
    expect((await call(sim, 'POST', '/sim/disconnect', { origin: EVIL })).status).toBe(403)
    expect((await call(sim, 'PUT', '/api/v1/queue/default/clear', { origin: 'null' })).status).toBe(403)

    const preflight = await call(sim, 'OPTIONS', '/sim/delivery', {
      origin: EVIL,
      'access-control-request-method': 'POST',
    })
    expect(preflight.status).toBe(403)
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()

    // The page the simulator serves is its own origin (127.0.0.1 or localhost, whichever it was opened as).
    for (const own of [sim.url, `http://localhost:${sim.port}`]) {
      const host = new URL(own).host
      const mine = await call(sim, 'POST', '/sim/delivery', { origin: own, host, ...json }, chaosOn)
      expect(mine.status, own).toBe(200)
      expect(mine.headers['access-control-allow-origin']).toBeUndefined()
    }
    expect(sim.getDelivery().chaos).toMatchObject({ seed: 1, dropRate: 1 })
  })

  it('refuses any request whose Host is not a loopback name (DNS rebinding), GET included', async () => {
    const sim = await setup()
    const rebound = { host: `evil.test:${sim.port}`, origin: `http://evil.test:${sim.port}` }
    expect((await call(sim, 'GET', '/sim/delivery', rebound)).status).toBe(403)
    expect((await call(sim, 'POST', '/sim/delivery', { ...rebound, ...json }, chaosOn)).status).toBe(403)
    expect(sim.getDelivery().chaos).toBeNull()
    for (const host of [`127.0.0.1:${sim.port}`, `localhost:${sim.port}`, `[::1]:${sim.port}`, '127.0.0.1']) {
      expect((await call(sim, 'GET', '/sim/delivery', { host })).status, host).toBe(200)
    }
  })

  it('refuses a socket.io handshake from another origin or a rebound Host, polling and websocket', async () => {
    const sim = await setup()
    const handshake = '/ws/socket.io/?EIO=4&transport=polling'
    expect((await call(sim, 'GET', handshake, { origin: EVIL })).status).toBe(403)
    expect((await call(sim, 'GET', handshake, { host: `evil.test:${sim.port}` })).status).toBe(403)
    const own = await call(sim, 'GET', handshake, { origin: sim.url })
    expect(own.status).toBe(200)
    expect(own.headers['access-control-allow-origin']).toBeUndefined()

    const upgrade = (origin: string) =>
      rawExchange(
        sim.port,
        upgradeRequest(
          '/ws/socket.io/?EIO=4&transport=websocket',
          `Host: 127.0.0.1:${sim.port}\r\nOrigin: ${origin}\r\n`,
        ),
      )
    // engine.io answers every refused upgrade with a 400, with the refusal as its body.
    const refused = await upgrade(EVIL)
    expect(refused).toMatch(/^HTTP\/1\.1 400 /)
    expect(refused).toContain('cross-origin requests from http://evil.test are refused')
    expect(await upgrade(sim.url)).toMatch(/^HTTP\/1\.1 101 /)
    // A socket.io client (no Origin, as in Node) still connects.
    const client = await connect(sim)
    open.clients.push(client)
    expect(client.socket.connected).toBe(true)
  })

  it('opens to every origin with cors: true (CORS *), and to the listed ones with a list', async () => {
    const anyOrigin = await setup({ cors: true })
    const read = await call(anyOrigin, 'GET', '/sim/delivery', { origin: EVIL })
    expect(read.headers['access-control-allow-origin']).toBe('*')
    const preflight = await call(anyOrigin, 'OPTIONS', '/sim/delivery', { origin: EVIL })
    expect(preflight.status).toBe(204)
    expect(preflight.headers['access-control-allow-headers']).toMatch(/content-type/)
    expect((await call(anyOrigin, 'POST', '/sim/delivery', { origin: EVIL, ...json }, chaosOn)).status).toBe(
      200,
    )
    await anyOrigin.close()

    const dev = 'http://localhost:5173'
    const listed = await setup({ cors: [dev] })
    const allowed = await call(listed, 'POST', '/sim/delivery', { origin: dev, ...json }, '{"mode":"double"}')
    expect(allowed.status).toBe(200)
    expect(allowed.headers['access-control-allow-origin']).toBe(dev)
    expect((await call(listed, 'POST', '/sim/delivery', { origin: EVIL, ...json }, chaosOn)).status).toBe(403)
    expect(
      (await call(listed, 'GET', '/ws/socket.io/?EIO=4&transport=polling', { origin: dev })).status,
    ).toBe(200)
    expect(
      (await call(listed, 'GET', '/ws/socket.io/?EIO=4&transport=polling', { origin: EVIL })).status,
    ).toBe(403)
    expect(listed.getDelivery()).toMatchObject({ mode: 'double', chaos: null })

    await expect(startSimulator({ cors: ['http://localhost:5173/path'] })).rejects.toThrow(/not an origin/)
  })
})

describe('JSON bodies only', () => {
  it('answers 415 to a POST or PUT body that is not application/json, and changes nothing', async () => {
    const sim = await setup()
    // What the probe did: a text/plain POST (no preflight from any page) switched chaos on.
    const plain = await call(sim, 'POST', '/sim/delivery', { 'content-type': 'text/plain' }, chaosOn)
    expect(plain.status).toBe(415)
    expect(sim.getDelivery().chaos).toBeNull()
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/json',
    ]) {
      expect(
        (await call(sim, 'POST', '/sim/enqueue', { 'content-type': type }, '{"scenario":"simple"}')).status,
      ).toBe(415)
    }
    expect((await call(sim, 'POST', '/sim/delivery', {}, chaosOn)).status).toBe(415)
    expect(
      (
        await call(
          sim,
          'PUT',
          '/api/v1/queue/default/retry_items_by_id',
          { 'content-type': 'text/plain' },
          '[1]',
        )
      ).status,
    ).toBe(415)
    expect(sim.getQueueItem(1)).toBeUndefined()
    expect(sim.getDelivery().chaos).toBeNull()

    // JSON (any charset) is fine, and so is a request without a body (disconnect, cancel).
    const ok = await call(
      sim,
      'POST',
      '/sim/delivery',
      { 'content-type': 'Application/JSON; charset=utf-8' },
      chaosOn,
    )
    expect(ok.status).toBe(200)
    expect((await call(sim, 'POST', '/sim/disconnect', {})).status).toBe(200)
    expect((await call(sim, 'PUT', '/api/v1/queue/default/clear', {})).status).toBe(200)
  })
})

describe('the page', () => {
  const dirs = { site: '' }
  beforeAll(() => {
    dirs.site = mkdtempSync(path.join(tmpdir(), 'sim-page-'))
    writeFileSync(path.join(dirs.site, 'index.html'), '<!doctype html><title>page</title>')
  })
  afterAll(() => rmSync(dirs.site, { recursive: true, force: true }))

  it('is sent with Referrer-Policy: no-referrer (its URL may carry a token)', async () => {
    const sim = await setup({ staticDir: dirs.site })
    const page = await call(sim, 'GET', '/?token=secret', {})
    expect(page.status).toBe(200)
    expect(page.headers['referrer-policy']).toBe('no-referrer')
  })
})
