// A server restart with a wiped database, in place: same port, every socket dropped, an empty queue.
import { afterEach, describe, expect, it } from 'vitest'
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

async function setup() {
  const sim = await startSimulator({ stepDelayMs: 3 })
  const client = await connect(sim)
  open.sim = sim
  open.clients.push(client)
  return { sim, client }
}

describe('restart with a wiped database', () => {
  it('every socket drops and reconnects after the downtime, the running item goes silent, and ids start again from 1 with new sessions', async () => {
    const { sim, client } = await setup()
    const reasons: string[] = []
    const subscribes: number[] = []
    client.socket.on('disconnect', (reason) => reasons.push(reason))
    client.socket.on('connect', () => subscribes.push(Date.now()))
    const [done] = sim.enqueueScenario('simple').item_ids as [number]
    const before = (await sim.whenSettled(done)) as { session_id: string }
    const [running, queued] = sim.enqueueScenario('long', { runs: 2, params: { steps: 500 } }).item_ids as [
      number,
      number,
    ]
    await client.waitFor(() => client.of(running).some((e) => e.name === 'invocation_progress'))

    const restarting = sim.restart({ downtimeMs: 150 })
    const restartedAt = Date.now()
    // Down: the port refuses connections, REST included.
    await expect(fetch(`${sim.url}/api/v1/queue/default/status`)).rejects.toThrow()
    await restarting
    expect(Date.now() - restartedAt).toBeGreaterThanOrEqual(140)
    await client.waitFor(() => client.socket.connected && subscribes.length === 1, 5000)
    expect(reasons).toEqual(['transport close'])
    expect((subscribes[0] as number) - restartedAt).toBeGreaterThanOrEqual(140)

    // The old rows are gone, and nothing of the interrupted run arrives any more.
    const eventsAtRestart = client.events.length
    const status = (await api(sim, 'GET', '/api/v1/queue/default/status')).body
    expect(status.queue).toMatchObject({ total: 0, in_progress: 0, pending: 0 })
    for (const id of [done, running, queued]) {
      expect((await api(sim, 'GET', `/api/v1/queue/default/i/${id}`)).status).toBe(404)
    }
    await sim.whenIdle()
    await sleep(30)
    expect(client.events.length).toBe(eventsAtRestart)

    // A new run on the new server: item 1 again, with a session id never seen before.
    const [fresh] = sim.enqueueScenario('simple').item_ids as [number]
    expect(fresh).toBe(1)
    const after = (await sim.whenSettled(fresh)) as { session_id: string; status: string }
    expect(after.status).toBe('completed')
    expect(after.session_id).not.toBe(before.session_id)
    // The old item 1 completed before the restart: its events are still in the client's record.
    expect(fresh).toBe(done)
    await client.waitFor(() => client.of(fresh).filter(isStatus('completed')).length === 2)
  })

  it('POST /sim/restart answers first, then restarts; a REST enqueue right after gets item id 1', async () => {
    const { sim, client } = await setup()
    sim.enqueueScenario('simple', { runs: 3 })
    await sim.whenIdle()
    const reconnected = new Promise<void>((resolve) => client.socket.io.once('reconnect', () => resolve()))
    expect((await api(sim, 'POST', '/sim/restart', { downtimeMs: 20 })).body).toEqual({
      restarting: true,
      downtimeMs: 20,
    })
    await reconnected
    await sleep(30)
    const { body } = await api(sim, 'POST', '/sim/enqueue', { scenario: 'simple' })
    expect(body.item_ids).toEqual([1])
    await client.waitFor(() => client.of(1).some(isStatus('completed')))
    expect((await api(sim, 'GET', '/api/v1/queue/default/status')).body.queue.total).toBe(1)
    expect((await api(sim, 'POST', '/sim/restart', { downtimeMs: -1 })).status).toBe(422)
  })
})
