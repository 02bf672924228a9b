import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { ChaosOptions, Simulator, SimulatorOptions } from '../types'
import { api, connect, isStatus, sleep } from './helpers'
import type { Recorded, TestClient } from './helpers'

const open: { sims: Simulator[]; clients: TestClient[] } = { sims: [], clients: [] }

async function setup(options: SimulatorOptions) {
  const sim = await startSimulator(options)
  const client = await connect(sim)
  open.sims.push(sim)
  open.clients.push(client)
  return { sim, client }
}

afterEach(async () => {
  open.clients.splice(0).forEach((client) => client.close())
  await Promise.all(open.sims.splice(0).map((sim) => sim.close()))
})

const identity = (e: Recorded) =>
  [e.name, e.payload.item_id, e.payload.status, e.payload.invocation?.id, e.payload.percentage].join('|')

describe('delivery modes', () => {
  it('double delivery sends every event twice A, B, A, B with image null on the second progress', async () => {
    const { sim, client } = await setup({ stepDelayMs: 3, delivery: { mode: 'double' } })
    const [itemId] = sim.enqueueScenario('fanout', { params: { count: 2, steps: 3 } }).item_ids as [number]
    await client.waitFor(() => client.of(itemId).filter(isStatus('completed')).length === 2)
    await sleep(40)
    const events = client.events
    // Split the delivered stream into [A, B, A', B'] or [A, A'] chunks; nothing else may appear.
    const chunks: number[] = []
    for (let i = 0; i < events.length;) {
      const [a, b, c, d] = events.slice(i, i + 4).map((e) => identity(e))
      if (a === c && b === d && a !== b && c !== undefined) {
        chunks.push(4)
        i += 4
      } else if (a === b && b !== undefined) {
        chunks.push(2)
        i += 2
      } else {
        throw new Error(`event ${i} (${a}) is not part of a doubled pair`)
      }
    }
    expect(chunks.filter((size) => size === 4).length).toBeGreaterThan(chunks.length / 2)
    const progress = events.filter((e) => e.name === 'invocation_progress')
    expect(progress).toHaveLength(12)
    const firstCopies = progress.filter(
      (e, i) => progress.findIndex((p) => identity(p) === identity(e)) === i,
    )
    expect(firstCopies.every((e) => typeof e.payload.image?.dataURL === 'string')).toBe(true)
    expect(progress.filter((e) => e.payload.image === null)).toHaveLength(6)
    // The persisted session is the truth, whatever the socket did.
    const item = await sim.whenSettled(itemId)
    expect(Object.keys((item?.session as { results: object }).results)).toHaveLength(7)
  })

  it('the same chaos seed gives the same delivered sequence; another seed gives another', async () => {
    const chaos: ChaosOptions = {
      seed: 42,
      reorderWindow: 4,
      duplicateRate: 0.2,
      dropRate: 0.15,
      maxDelayMs: 4,
    }
    const deliveredWith = async (options: Partial<ChaosOptions>) => {
      const { sim, client } = await setup({
        stepDelayMs: 2,
        // Windows flush only at the item's terminal status: a stalled machine cannot add an idle flush.
        chaosIdleFlushMs: 60_000,
        delivery: { chaos: { ...chaos, ...options } },
      })
      const [itemId] = sim.enqueueScenario('fanout', { params: { count: 2, steps: 4 } }).item_ids as [number]
      const item = (await sim.whenSettled(itemId)) as { session: { executed: string[]; results: object } }
      await sleep(60)
      // Prepared ids are fresh UUIDs: name each copy by its place in the execution order instead.
      const label = (e: Recorded) =>
        [
          e.name,
          e.payload.status ?? '',
          e.payload.invocation ? item.session.executed.indexOf(e.payload.invocation.id) : '',
          e.payload.percentage ?? '',
        ].join(':')
      expect(Object.keys(item.session.results)).toHaveLength(7)
      return client.of(itemId).map(label)
    }
    const first = await deliveredWith({})
    const again = await deliveredWith({})
    const other = await deliveredWith({ seed: 7 })
    const inOrder = await deliveredWith({ reorderWindow: 0, duplicateRate: 0, dropRate: 0, maxDelayMs: 0 })
    expect(again).toEqual(first)
    expect(other).not.toEqual(first)
    expect(first).not.toEqual(inOrder)
    expect(new Set(first)).not.toEqual(new Set(inOrder))
  })

  it('chaos with disconnects: the client reconnects by itself, and REST still has every result', async () => {
    const { sim, client } = await setup({
      stepDelayMs: 4,
      delivery: {
        chaos: {
          seed: 3,
          reorderWindow: 0,
          duplicateRate: 0,
          dropRate: 0,
          maxDelayMs: 0,
          disconnectRate: 0.3,
        },
      },
    })
    const connects = { count: 0 }
    client.socket.on('connect', () => connects.count++)
    const [itemId] = sim.enqueueScenario('fanout', { params: { count: 2, steps: 10 } }).item_ids as [number]
    const item = (await sim.whenSettled(itemId)) as { status: string; session: { results: object } }
    await client.waitFor(() => client.socket.connected && connects.count > 0)
    expect(item.status).toBe('completed')
    expect(Object.keys(item.session.results)).toHaveLength(7)
    expect(client.of(itemId).length).toBeLessThan(2 + 2 * 2 + 2 * 12 + 1)
  })
})

describe('enqueue response timing', () => {
  it('events arrive before the enqueue response when asked', async () => {
    const { sim, client } = await setup({ stepDelayMs: 3, delivery: { eventsBeforeEnqueueResponse: true } })
    const { body } = await api(sim, 'POST', '/api/v1/queue/default/enqueue_batch', {
      batch: {
        graph: { nodes: { a: { id: 'a', type: 'add', a: 1, b: 2 } }, edges: [] },
        origin: 'workflows',
      },
    })
    const itemId = body.item_ids[0] as number
    const seenAtResponse = client.of(itemId).map((e) => e.name)
    expect(seenAtResponse).toContain('invocation_started')
    expect(client.of(itemId).some(isStatus('in_progress'))).toBe(true)
  })

  it('by default the run starts after the enqueue response', async () => {
    const { sim, client } = await setup({ stepDelayMs: 3, startDelayMs: 100 })
    const { body } = await api(sim, 'POST', '/sim/enqueue', { scenario: 'simple' })
    const itemId = body.item_ids[0] as number
    expect(client.of(itemId).some(isStatus('in_progress'))).toBe(false)
    await client.waitFor(() => client.of(itemId).some(isStatus('completed')))
  })
})

describe('connections', () => {
  it('a client on the default transports (long-polling, then upgrade) gets the events too', async () => {
    const { sim } = await setup({ stepDelayMs: 2 })
    const browserLike = await connect(sim, { polling: true })
    open.clients.push(browserLike)
    const [itemId] = sim.enqueueScenario('simple').item_ids as [number]
    await browserLike.waitFor(() => browserLike.of(itemId).some(isStatus('completed')))
    expect((await api(sim, 'GET', '/sim/scenarios')).status).toBe(200)
  })

  it('POST /sim/disconnect drops every client; they reconnect, resubscribe and get the next run', async () => {
    const { sim, client } = await setup({ stepDelayMs: 2 })
    const reasons: string[] = []
    client.socket.on('disconnect', (reason) => reasons.push(reason))
    const reconnected = new Promise<void>((resolve) => client.socket.io.once('reconnect', () => resolve()))
    expect((await api(sim, 'POST', '/sim/disconnect')).body).toEqual({ disconnected: true })
    await reconnected
    expect(reasons).toEqual(['transport close'])
    await sleep(30)
    const [itemId] = sim.enqueueScenario('simple').item_ids as [number]
    await client.waitFor(() => client.of(itemId).some(isStatus('completed')))
  })
})
