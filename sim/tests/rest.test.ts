import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { Simulator } from '../types'
import { api, connect, isStatus, sleep } from './helpers'
import type { TestClient } from './helpers'

const open: { sim?: Simulator; clients: TestClient[] } = { clients: [] }

afterEach(async () => {
  open.clients.splice(0).forEach((client) => client.close())
  await open.sim?.close()
  open.sim = undefined
})

async function setup(options: Parameters<typeof startSimulator>[0] = {}) {
  open.sim = await startSimulator({ stepDelayMs: 2, ...options })
  return open.sim
}

const graph = { nodes: { a: { id: 'a', type: 'add', a: 1, b: 2 } }, edges: [] }

describe('enqueue_batch', () => {
  it('a bad enqueue body gets 422 with a clear detail and enqueues nothing', async () => {
    const sim = await setup()
    const client = await connect(sim)
    open.clients.push(client)
    const bad: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [[], /must be an object/],
      [{}, /batch is required/],
      [{ batch: {} }, /batch.graph must be an object/],
      [{ batch: { graph: { nodes: [] } } }, /nodes must be an object/],
      [{ batch: { graph: { nodes: {} } } }, /empty/],
      [{ batch: { graph: { nodes: { a: { id: 'a', type: 'teleport' } } } } }, /type 'teleport'/],
      [{ batch: { graph: { nodes: { a: { id: 'b', type: 'add' } } } } }, /different id/],
      [{ batch: { graph, runs: 0 } }, /batch.runs must be an integer from 1/],
      [{ batch: { graph, origin: 5 } }, /batch.origin must be a string/],
      [{ prepend: 'yes', batch: { graph } }, /prepend must be a boolean/],
      [
        {
          batch: {
            graph: {
              nodes: graph.nodes,
              edges: [
                { source: { node_id: 'a', field: 'value' }, destination: { node_id: 'zz', field: 'a' } },
              ],
            },
          },
        },
        /unknown node zz/,
      ],
      [
        {
          batch: {
            graph: {
              nodes: { a: { id: 'a', type: 'add' }, b: { id: 'b', type: 'add' } },
              edges: [
                { source: { node_id: 'a', field: 'value' }, destination: { node_id: 'b', field: 'a' } },
                { source: { node_id: 'b', field: 'value' }, destination: { node_id: 'a', field: 'a' } },
              ],
            },
          },
        },
        /cycle/,
      ],
      [{ batch: { graph: { nodes: { i: { id: 'i', type: 'iterate' } } } } }, /no collection/],
    ]
    for (const [body, detail] of bad) {
      const response = await api(sim, 'POST', '/api/v1/queue/default/enqueue_batch', body as object)
      expect(response.status, JSON.stringify(body)).toBe(422)
      expect(response.body.detail).toMatch(detail)
    }
    const status = (await api(sim, 'GET', '/api/v1/queue/default/status')).body
    expect(status.queue.total).toBe(0)
    await sleep(30)
    expect(client.events).toEqual([])
    expect(sim.getQueueItem(1)).toBeUndefined()
  })

  it('a good body returns the item ids and batch, emits batch_enqueued and pending (seq 0) per item', async () => {
    const sim = await setup()
    const client = await connect(sim)
    open.clients.push(client)
    const response = await api(sim, 'POST', '/api/v1/queue/default/enqueue_batch', {
      batch: { graph, runs: 2, origin: 'canvas' },
    })
    expect(response.status).toBe(200)
    const { body } = response
    expect(body).toMatchObject({
      queue_id: 'default',
      enqueued: 2,
      requested: 2,
      priority: 0,
      item_ids: [1, 2],
    })
    expect(body.batch).toMatchObject({ origin: 'canvas', runs: 2 })
    expect(body.batch.destination).toBeUndefined()
    expect(body.batch.graph.nodes.a).toEqual({
      id: 'a',
      is_intermediate: false,
      use_cache: true,
      a: 1,
      b: 2,
      type: 'add',
    })
    await client.waitFor((events) => events.filter(isStatus('completed')).length === 2)
    expect(client.events[0]).toMatchObject({
      name: 'batch_enqueued',
      payload: { batch_id: body.batch.batch_id, enqueued: 2, origin: 'canvas' },
    })
    expect(
      client.events.filter(isStatus('pending')).map((e) => [e.payload.item_id, e.payload.status_sequence]),
    ).toEqual([
      [1, 0],
      [2, 0],
    ])
    const item = (await api(sim, 'GET', '/api/v1/queue/default/i/2')).body
    expect(item).toMatchObject({ item_id: 2, status: 'completed', origin: 'canvas', queue_id: 'default' })
    expect(Object.values(item.session.results)).toEqual([{ value: 3, type: 'integer_output' }])
  })
})

describe('queue endpoints', () => {
  it('unknown items are 404, in any queue, and bad ids are 422', async () => {
    const sim = await setup()
    sim.enqueueScenario('simple')
    expect((await api(sim, 'GET', '/api/v1/queue/default/i/99')).status).toBe(404)
    expect((await api(sim, 'GET', '/api/v1/queue/elsewhere/i/1')).status).toBe(404)
    expect((await api(sim, 'PUT', '/api/v1/queue/default/i/99/cancel')).status).toBe(404)
    expect((await api(sim, 'GET', '/api/v1/queue/default/i/abc')).status).toBe(422)
    expect((await api(sim, 'DELETE', '/api/v1/queue/default/i/1')).status).toBe(405)
    expect((await api(sim, 'GET', '/api/v1/nothing')).body).toEqual({ detail: 'Not Found' })
  })

  it('status reports the current item while it runs, and the counts', async () => {
    const sim = await setup({ stepDelayMs: 5 })
    const client = await connect(sim)
    open.clients.push(client)
    const [itemId] = sim.enqueueScenario('long', { params: { steps: 100 } }).item_ids as [number]
    await client.waitFor(() => client.of(itemId).some((e) => e.name === 'invocation_progress'))
    const running = (await api(sim, 'GET', '/api/v1/queue/default/status')).body
    expect(running.queue).toMatchObject({
      queue_id: 'default',
      item_id: itemId,
      in_progress: 1,
      pending: 0,
      total: 1,
    })
    expect(running.processor).toEqual({ is_started: true, is_processing: true })
    sim.cancel(itemId)
    const after = (await api(sim, 'GET', '/api/v1/queue/default/status')).body
    expect(after.queue).toMatchObject({ canceled: 1, in_progress: 0, total: 1 })
    expect(after.queue.item_id).toBeUndefined()
  })
})

describe('control API', () => {
  it('lists the scenarios with descriptions and enqueues one by name', async () => {
    const sim = await setup()
    const { body } = await api(sim, 'GET', '/sim/scenarios')
    expect(body.map((s: { name: string }) => s.name)).toEqual([
      'fanout',
      'node_error',
      'simple',
      'long',
      'bad_input',
      'workflow_call',
    ])
    expect(body.every((s: { description: string }) => s.description.length > 20)).toBe(true)
    expect(sim.scenarios).toEqual(body)
    const enqueued = await api(sim, 'POST', '/sim/enqueue', {
      scenario: 'fanout',
      runs: 2,
      origin: 'demo',
      params: { count: 4 },
    })
    expect(enqueued.body).toMatchObject({ enqueued: 2, item_ids: [1, 2] })
    expect(Object.keys(enqueued.body.batch.graph.nodes)).toHaveLength(4)
    const unknown = await api(sim, 'POST', '/sim/enqueue', { scenario: 'nope' })
    expect(unknown.status).toBe(422)
    expect(unknown.body.detail).toMatch(/one of: fanout/)
    expect(
      (await api(sim, 'POST', '/sim/enqueue', { scenario: 'fanout', params: { count: -1 } })).status,
    ).toBe(422)
  })

  it('reads and sets delivery options, rejecting invalid ones', async () => {
    const sim = await setup()
    expect((await api(sim, 'GET', '/sim/delivery')).body).toEqual({
      mode: 'in_order',
      eventsBeforeEnqueueResponse: false,
      cancelRace: false,
      cancelRaceCompletes: false,
      chaos: null,
    })
    const set = await api(sim, 'POST', '/sim/delivery', { mode: 'double', chaos: { seed: 1, dropRate: 0.5 } })
    expect(set.body).toMatchObject({ mode: 'double', chaos: { seed: 1, dropRate: 0.5, reorderWindow: 0 } })
    expect(sim.getDelivery().mode).toBe('double')
    for (const bad of [
      { mode: 'twice' },
      { chaos: { seed: 1, dropRate: 2 } },
      { chaos: { dropRate: 0.1 } },
      { turbo: true },
    ]) {
      const response = await api(sim, 'POST', '/sim/delivery', bad)
      expect(response.status).toBe(422)
      expect(typeof response.body.detail).toBe('string')
    }
    expect((await api(sim, 'POST', '/sim/delivery', { chaos: null })).body.chaos).toBeNull()
    expect(() => sim.setDelivery({ mode: 'sometimes' as 'double' })).toThrow(/mode/)
  })
})

describe('basePath and auth', () => {
  it('serves the API and the socket under basePath', async () => {
    const sim = await setup({ basePath: '/invoke/' })
    expect(sim.basePath).toBe('/invoke')
    const client = await connect(sim)
    open.clients.push(client)
    const { body } = await api(sim, 'POST', '/sim/enqueue', { scenario: 'simple' })
    await client.waitFor(() => client.of(body.item_ids[0]).some(isStatus('completed')))
    const outside = await fetch(`${sim.url}/api/v1/queue/default/i/1`)
    expect(outside.status).toBe(404)
  })

  it('with authToken, a socket without the token gets connect_error and REST needs the bearer token', async () => {
    const sim = await setup({ authToken: 'secret' })
    await expect(connect(sim, { token: 'wrong' })).rejects.toThrow(/invalid token/)
    const client = await connect(sim, { token: 'secret' })
    open.clients.push(client)
    expect((await api(sim, 'GET', '/api/v1/queue/default/status')).status).toBe(401)
    const response = await fetch(`${sim.url}/api/v1/queue/default/status`, {
      headers: { authorization: 'Bearer secret' },
    })
    expect(response.status).toBe(200)
  })

  it('refuses to listen on a non-loopback address', async () => {
    await expect(startSimulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/)
  })
})

describe('static files', () => {
  const dirs: { root: string; site: string } = { root: '', site: '' }

  beforeAll(() => {
    dirs.root = mkdtempSync(path.join(tmpdir(), 'sim-static-'))
    dirs.site = path.join(dirs.root, 'site')
    mkdirSync(path.join(dirs.site, 'assets'), { recursive: true })
    writeFileSync(path.join(dirs.site, 'index.html'), '<!doctype html><title>demo</title>')
    writeFileSync(path.join(dirs.site, 'assets', 'app.js'), 'console.log(1)')
    writeFileSync(path.join(dirs.site, 'assets', 'app.css'), 'body{}')
    writeFileSync(path.join(dirs.site, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
    writeFileSync(path.join(dirs.root, 'secret.txt'), 'top secret')
  })

  afterAll(() => rmSync(dirs.root, { recursive: true, force: true }))

  /** A raw request, so the path reaches the server as written (fetch would normalize `..`). */
  const raw = (sim: Simulator, rawPath: string) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: sim.port, path: rawPath }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            body: Buffer.concat(chunks).toString(),
          }),
        )
      })
      req.on('error', reject)
      req.end()
    })

  it('static files are served with their content types and no path escapes staticDir', async () => {
    const sim = await setup({ staticDir: dirs.site })
    const index = await raw(sim, '/')
    expect(index).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' })
    expect(index.body).toContain('<title>demo</title>')
    expect((await raw(sim, '/assets/app.js')).type).toBe('text/javascript; charset=utf-8')
    expect((await raw(sim, '/assets/app.css')).type).toBe('text/css; charset=utf-8')
    expect((await raw(sim, '/logo.svg')).type).toBe('image/svg+xml')
    expect((await raw(sim, '/missing.js')).status).toBe(404)
    for (const attack of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    ]) {
      const response = await raw(sim, attack)
      expect(response.status, attack).toBe(404)
      expect(response.body).not.toContain('top secret')
    }
    // The API still wins over static files.
    expect((await raw(sim, '/sim/scenarios')).type).toBe('application/json')
  })
})
