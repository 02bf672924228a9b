// What the server holds, for a client that (re)connects: current, item_ids and items_by_ids.
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { Simulator, SimulatorOptions } from '../types'
import { api, connect, hasNoNulls } from './helpers'
import type { TestClient } from './helpers'

const open: { sim?: Simulator; clients: TestClient[] } = { clients: [] }

afterEach(async () => {
  open.clients.splice(0).forEach((client) => client.close())
  await open.sim?.close()
  open.sim = undefined
})

async function setup(options: SimulatorOptions = {}) {
  open.sim = await startSimulator({ stepDelayMs: 2, features: { snapshotEndpoints: true }, ...options })
  return open.sim
}

const q = '/api/v1/queue/default'

describe('what the server holds', () => {
  it('current is the item being executed, in the GET shape, and null once nothing runs', async () => {
    const sim = await setup({ stepDelayMs: 5 })
    const client = await connect(sim)
    open.clients.push(client)
    expect((await api(sim, 'GET', `${q}/current`)).body).toBeNull()
    const [first, second] = sim.enqueueScenario('long', { runs: 2, params: { steps: 200 } }).item_ids as [
      number,
      number,
    ]
    await client.waitFor(() => client.of(first).some((e) => e.name === 'invocation_progress'))
    const current = await api(sim, 'GET', `${q}/current`)
    expect(current.status).toBe(200)
    expect(current.body).toEqual(sim.getQueueItem(first))
    expect(current.body).toMatchObject({ item_id: first, status: 'in_progress' })
    expect(hasNoNulls(current.body)).toBe(true)
    sim.cancel(first)
    sim.cancel(second)
    await sim.whenIdle()
    expect((await api(sim, 'GET', `${q}/current`)).body).toBeNull()
  })

  it('item_ids lists every id of the queue, of every user, newest first by default and oldest first with ASC', async () => {
    const sim = await setup({ users: { 'tok-alice': 'alice' } })
    sim.enqueueScenario('simple', { runs: 2 })
    sim.enqueueScenario('simple', { userId: 'bob' })
    sim.enqueueScenario('simple', { queueId: 'other' })
    await sim.whenIdle()
    expect((await api(sim, 'GET', `${q}/item_ids`, undefined, 'tok-alice')).body).toEqual({
      item_ids: [3, 2, 1],
      total_count: 3,
    })
    expect((await api(sim, 'GET', `${q}/item_ids?order_dir=DESC`)).body.item_ids).toEqual([3, 2, 1])
    expect((await api(sim, 'GET', `${q}/item_ids?order_dir=ASC`)).body.item_ids).toEqual([1, 2, 3])
    expect((await api(sim, 'GET', '/api/v1/queue/other/item_ids')).body).toEqual({
      item_ids: [4],
      total_count: 1,
    })
    expect((await api(sim, 'GET', '/api/v1/queue/empty/item_ids')).body).toEqual({
      item_ids: [],
      total_count: 0,
    })
    const bad = await api(sim, 'GET', `${q}/item_ids?order_dir=sideways`)
    expect(bad.status).toBe(422)
    expect(bad.body.detail).toMatch(/order_dir/)
  })

  it('items_by_ids returns the items that exist in the GET shape, in the order asked; more than 1,000 ids is a 422', async () => {
    const sim = await setup()
    sim.enqueueScenario('simple', { runs: 3 })
    sim.enqueueScenario('simple', { queueId: 'other' })
    await sim.whenIdle()
    const { status, body } = await api(sim, 'POST', `${q}/items_by_ids`, { item_ids: [3, 99, 1, 4, 3] })
    expect(status).toBe(200)
    expect(body).toEqual([sim.getQueueItem(3), sim.getQueueItem(1)])
    expect(body.every(hasNoNulls)).toBe(true)
    expect((await api(sim, 'POST', `${q}/items_by_ids`, { item_ids: [] })).body).toEqual([])
    const limit = Array.from({ length: 1000 }, (_, i) => i + 1)
    expect((await api(sim, 'POST', `${q}/items_by_ids`, { item_ids: limit })).body).toHaveLength(3)
    for (const bad of [{ item_ids: [...limit, 1001] }, { item_ids: ['1'] }, [1, 2], {}]) {
      const response = await api(sim, 'POST', `${q}/items_by_ids`, bad)
      expect(response.status, JSON.stringify(bad).slice(0, 40)).toBe(422)
      expect(typeof response.body.detail).toBe('string')
    }
    expect((await api(sim, 'GET', `${q}/items_by_ids`)).status).toBe(405)
  })

  it('by default (snapshotEndpoints off) the three endpoints answer 404 like an older server, until they are turned on', async () => {
    open.sim = await startSimulator({ stepDelayMs: 2 })
    const sim = open.sim
    sim.enqueueScenario('simple')
    await sim.whenIdle()
    expect((await api(sim, 'GET', '/sim/features')).body).toEqual({ snapshotEndpoints: false })
    const calls = [
      ['GET', `${q}/current`, undefined],
      ['GET', `${q}/item_ids`, undefined],
      ['POST', `${q}/items_by_ids`, { item_ids: [1] }],
    ] as const
    for (const [method, path, body] of calls) {
      expect(await api(sim, method, path, body), path).toEqual({ status: 404, body: { detail: 'Not Found' } })
    }
    // The rest of the API is there as before.
    expect((await api(sim, 'GET', `${q}/i/1`)).status).toBe(200)

    expect((await api(sim, 'POST', '/sim/features', { snapshotEndpoints: true })).body).toEqual({
      snapshotEndpoints: true,
    })
    for (const [method, path, body] of calls)
      expect((await api(sim, method, path, body)).status, path).toBe(200)
    sim.setFeatures({ snapshotEndpoints: false })
    expect((await api(sim, 'GET', `${q}/current`)).status).toBe(404)
    expect(sim.getFeatures()).toEqual({ snapshotEndpoints: false })
    expect((await api(sim, 'POST', '/sim/features', { snapshotEndpoints: 'no' })).status).toBe(422)
    expect((await api(sim, 'POST', '/sim/features', { turbo: true })).status).toBe(422)
  })
})
