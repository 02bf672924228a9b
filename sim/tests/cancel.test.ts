import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { Simulator, SimulatorOptions } from '../types'
import { api, connect, isStatus, sleep } from './helpers'
import type { TestClient } from './helpers'

const open: { sim?: Simulator; client?: TestClient } = {}

async function setup(options: SimulatorOptions) {
  const sim = await startSimulator(options)
  const client = await connect(sim)
  Object.assign(open, { sim, client })
  return { sim, client }
}

afterEach(async () => {
  open.client?.close()
  await open.sim?.close()
})

const after = <T>(list: T[], index: number) => list.slice(index + 1)

describe('cancel', () => {
  it('a cancel mid-run sends canceled at once and persists the results a moment later', async () => {
    const { sim, client } = await setup({ stepDelayMs: 5, cancelPersistDelayMs: 150 })
    const [itemId] = sim.enqueueScenario('fanout', { params: { count: 2, steps: 20 } }).item_ids as [number]
    // Wait until the second denoise copy is running: the first one has completed.
    await client.waitFor(
      () =>
        client
          .of(itemId)
          .filter((e) => e.name === 'invocation_started' && e.payload.invocation?.type === 'denoise')
          .length === 2,
    )
    const canceled = await api(sim, 'PUT', `/api/v1/queue/default/i/${itemId}/cancel`)
    expect(canceled.status).toBe(200)
    expect(canceled.body).toMatchObject({ item_id: itemId, status: 'canceled', status_sequence: 2 })
    await client.waitFor(() => client.of(itemId).some(isStatus('canceled')))

    // Not saved yet: the GET still has the session as enqueued.
    const early = (await api(sim, 'GET', `/api/v1/queue/default/i/${itemId}`)).body
    expect(early.status).toBe('canceled')
    expect(early.session.results).toEqual({})

    const saved = (await sim.whenSettled(itemId)) as {
      session: { results: Record<string, { type: string }> }
    }
    const types = Object.values(saved.session.results).map((r) => r.type)
    expect(types).toEqual(['integer_collection_output', 'iterate_output', 'iterate_output', 'latents_output'])

    await sleep(40)
    const events = client.of(itemId)
    const tail = after(events, events.findIndex(isStatus('canceled')))
    expect(tail).toEqual([])
    const running = events.filter((e) => e.name === 'invocation_started').at(-1)?.payload.invocation?.id
    const ofRunning = events.filter((e) => e.payload.invocation?.id === running).map((e) => e.name)
    expect(ofRunning).not.toContain('invocation_complete')
    expect(ofRunning).not.toContain('invocation_error')
  })

  it('with cancelRace a progress event arrives after canceled, and the interrupted node gets neither complete nor error', async () => {
    const { sim, client } = await setup({
      stepDelayMs: 20,
      cancelPersistDelayMs: 10,
      delivery: { cancelRace: true },
    })
    const [itemId] = sim.enqueueScenario('long', { params: { steps: 50 } }).item_ids as [number]
    await client.waitFor(() => client.of(itemId).filter((e) => e.name === 'invocation_progress').length >= 2)
    sim.cancel(itemId)
    await sim.whenSettled(itemId)
    await sleep(60)
    const events = client.of(itemId)
    const tail = after(events, events.findIndex(isStatus('canceled')))
    expect(tail.map((e) => e.name)).toEqual(['invocation_progress'])
    expect(events.some((e) => e.name === 'invocation_complete' || e.name === 'invocation_error')).toBe(false)
  })

  it('with cancelRaceCompletes the running node completes after canceled and its result is persisted', async () => {
    const { sim, client } = await setup({
      stepDelayMs: 20,
      cancelPersistDelayMs: 10,
      delivery: { cancelRace: true, cancelRaceCompletes: true },
    })
    const [itemId] = sim.enqueueScenario('long', { params: { steps: 50 } }).item_ids as [number]
    await client.waitFor(() => client.of(itemId).some((e) => e.name === 'invocation_progress'))
    sim.cancel(itemId)
    const saved = (await sim.whenSettled(itemId)) as {
      session: { results: Record<string, { type: string }> }
    }
    await sleep(40)
    const events = client.of(itemId)
    const tail = after(events, events.findIndex(isStatus('canceled')))
    expect(tail.map((e) => e.name)).toEqual(['invocation_progress', 'invocation_complete'])
    expect(tail[1]?.payload.invocation?.type).toBe('denoise')
    // The l2i after it never starts; the racing result is in the delayed save.
    expect(Object.values(saved.session.results).map((r) => r.type)).toEqual(['latents_output'])
  })

  it('a pending item is canceled with status_sequence 1 and never runs', async () => {
    const { sim, client } = await setup({ stepDelayMs: 3 })
    const [running, waiting] = sim.enqueueScenario('fanout', { runs: 2, params: { count: 1, steps: 5 } })
      .item_ids as [number, number]
    expect(sim.cancel(waiting)).toMatchObject({ status: 'canceled', status_sequence: 1 })
    await sim.whenIdle()
    await client.waitFor(() => client.of(running).some(isStatus('completed')))
    expect(client.of(waiting).map((e) => e.payload.status)).toEqual(['pending', 'canceled'])
  })

  it('clear deletes every row: queue_cleared with user_id null, no per-item event, then GET is 404', async () => {
    const { sim, client } = await setup({ stepDelayMs: 5 })
    const [running, waiting] = sim.enqueueScenario('long', { runs: 2, params: { steps: 100 } }).item_ids as [
      number,
      number,
    ]
    await client.waitFor(() => client.of(running).some((e) => e.name === 'invocation_progress'))
    const cleared = await api(sim, 'PUT', '/api/v1/queue/default/clear')
    expect(cleared.body).toEqual({ deleted: 2 })
    await client.waitFor(() => client.events.some((e) => e.name === 'queue_cleared'))
    await sleep(40)
    const clearedAt = client.events.findIndex((e) => e.name === 'queue_cleared')
    expect(client.events[clearedAt]?.payload).toMatchObject({ queue_id: 'default', user_id: null })
    expect(after(client.events, clearedAt)).toEqual([])
    for (const id of [running, waiting]) {
      const response = await api(sim, 'GET', `/api/v1/queue/default/i/${id}`)
      expect(response.status).toBe(404)
      expect(typeof response.body.detail).toBe('string')
    }
    const status = (await api(sim, 'GET', '/api/v1/queue/default/status')).body
    expect(status.queue.total).toBe(0)
    expect(status.processor).toEqual({ is_started: true, is_processing: false })
  })

  it('cancel_all_except_current cancels pending items in bulk with queue_items_canceled', async () => {
    const { sim, client } = await setup({ stepDelayMs: 5 })
    const [running, ...pending] = sim.enqueueScenario('long', { runs: 3, params: { steps: 10 } })
      .item_ids as number[]
    await client.waitFor(() => client.of(running as number).some(isStatus('in_progress')))
    const response = await api(sim, 'PUT', '/api/v1/queue/default/cancel_all_except_current')
    expect(response.body).toEqual({ canceled: 2 })
    await client.waitFor(() => client.events.some((e) => e.name === 'queue_items_canceled'))
    expect(client.events.find((e) => e.name === 'queue_items_canceled')?.payload.canceled_item_ids).toEqual(
      pending,
    )
    for (const id of pending) expect(client.of(id).map((e) => e.payload.status)).toEqual(['pending'])
    await client.waitFor(() => client.of(running as number).some(isStatus('completed')))
    expect(sim.getQueueItem(pending[0] as number)?.status).toBe('canceled')
  })
})
