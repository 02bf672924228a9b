// Multi-user: each client is the user of its token; other users' items reach it only as redacted companions.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { Simulator } from '../types'
import { api, connect, hasNoNulls, isStatus, sleep } from './helpers'
import type { Recorded, TestClient } from './helpers'

const users = { 'tok-alice': 'alice', 'tok-bob': 'bob', 'tok-admin': 'admin' }

const open: { sim?: Simulator; clients: TestClient[] } = { clients: [] }

afterEach(async () => {
  open.clients.splice(0).forEach((client) => client.close())
  await open.sim?.close()
  open.sim = undefined
})

async function setup() {
  const sim = await startSimulator({ stepDelayMs: 2, users, features: { snapshotEndpoints: true } })
  open.sim = sim
  const [alice, bob, admin] = await Promise.all(
    ['tok-alice', 'tok-bob', 'tok-admin'].map((token) => connect(sim, { token })),
  )
  open.clients.push(alice as TestClient, bob as TestClient, admin as TestClient)
  return { sim, alice: alice as TestClient, bob: bob as TestClient, admin: admin as TestClient }
}

const fixtureKeys = (name: string) =>
  Object.keys(
    JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8')) as object,
  )

const statuses = (events: Recorded[]) =>
  events.filter((e) => e.name === 'queue_item_status_changed').map((e) => e.payload.status)

describe('multi-user delivery', () => {
  it("each user gets its own items in full and only redacted companions of another user's items, with no invocation events", async () => {
    const { sim, alice, bob, admin } = await setup()
    const [mine] = sim.enqueueScenario('simple', { userId: 'alice', origin: 'canvas' }).item_ids as [number]
    const [theirs] = sim.enqueueScenario('node_error', {
      userId: 'bob',
      destination: 'gallery',
      params: { steps: 1 },
    }).item_ids as [number]
    await sim.whenIdle()
    await admin.waitFor(() => admin.of(theirs).some((e) => e.name === 'invocation_error'))
    await alice.waitFor(() => alice.of(theirs).some(isStatus('failed')))
    await sleep(30)

    // Alice's own run: everything, with her user id.
    expect(alice.of(mine).some((e) => e.name === 'invocation_complete')).toBe(true)
    expect(alice.of(mine).every((e) => e.payload.user_id === 'alice')).toBe(true)
    expect(statuses(alice.of(mine))).toEqual(['pending', 'in_progress', 'completed'])

    // Bob's run, as Alice sees it: status companions only, in order, with nothing that is Bob's.
    const companions = alice.of(theirs)
    expect(companions.map((e) => e.name)).toEqual(Array(3).fill('queue_item_status_changed'))
    expect(companions.map((e) => [e.payload.status, e.payload.status_sequence])).toEqual([
      ['pending', 0],
      ['in_progress', 1],
      ['failed', 2],
    ])
    for (const { payload } of companions) {
      expect(Object.keys(payload)).toEqual(fixtureKeys('queue_item_status_changed.sanitized_companion'))
      expect(payload).toMatchObject({
        user_id: 'redacted',
        batch_id: 'redacted',
        session_id: 'redacted',
        origin: null,
        destination: null,
        error_type: null,
        error_message: null,
        error_traceback: null,
        batch_status: { batch_id: 'redacted', origin: null, destination: null },
        queue_status: { user_pending: null, user_in_progress: null },
      })
    }

    // Bob and the admin get Bob's run in full: the error, then invocation_error.
    for (const client of [bob, admin]) {
      const events = client.of(theirs)
      expect(events.find(isStatus('failed'))?.payload).toMatchObject({
        user_id: 'bob',
        destination: 'gallery',
        error_type: 'OutOfMemoryError',
      })
      expect(events.at(-1)?.name).toBe('invocation_error')
    }
    expect(bob.of(mine).map((e) => e.name)).toEqual(Array(3).fill('queue_item_status_changed'))
    expect(admin.of(mine).some((e) => e.name === 'invocation_complete')).toBe(true)
    // A user's own status events count that user's items in queue_status.
    const bobPending = bob.of(theirs).find(isStatus('pending'))?.payload.queue_status as Record<
      string,
      number
    >
    expect(bobPending).toMatchObject({ pending: 2, user_pending: 1 })
  })

  it("batch_enqueued of another user's batch is redacted; the owner's has the batch id and origin", async () => {
    const { sim, alice, bob } = await setup()
    const { batch } = sim.enqueueScenario('simple', { userId: 'bob', origin: 'canvas' })
    await sim.whenIdle()
    await alice.waitFor((events) => events.some((e) => e.name === 'batch_enqueued'))
    await bob.waitFor((events) => events.some((e) => e.name === 'batch_enqueued'))
    const seenBy = (client: TestClient) => client.events.find((e) => e.name === 'batch_enqueued')?.payload
    expect(Object.keys(seenBy(alice) ?? {})).toEqual(fixtureKeys('batch_enqueued'))
    expect(seenBy(alice)).toMatchObject({
      batch_id: 'redacted',
      user_id: 'redacted',
      origin: null,
      enqueued: 1,
    })
    expect(seenBy(bob)).toMatchObject({ batch_id: batch.batch_id, user_id: 'bob', origin: 'canvas' })
  })

  it('bulk cancel groups the canceled ids by user, and every client gets it', async () => {
    const { sim, alice, bob } = await setup()
    const [running] = sim.enqueueScenario('long', { userId: 'alice', params: { steps: 30 } }).item_ids
    const [a2] = sim.enqueueScenario('simple', { userId: 'alice' }).item_ids
    const [b1, b2] = sim.enqueueScenario('simple', { userId: 'bob', runs: 2 }).item_ids
    await alice.waitFor(() => alice.of(running as number).some(isStatus('in_progress')))
    expect((await api(sim, 'PUT', '/api/v1/queue/default/cancel_all_except_current')).body).toEqual({
      canceled: 3,
    })
    for (const client of [alice, bob]) {
      await client.waitFor((events) => events.some((e) => e.name === 'queue_items_canceled'))
      expect(client.events.find((e) => e.name === 'queue_items_canceled')?.payload).toMatchObject({
        canceled_item_ids: [a2, b1, b2],
        user_ids: ['alice', 'bob'],
        canceled_item_ids_by_user: { alice: [a2], bob: [b1, b2] },
      })
    }
    sim.cancel(running as number)
  })
})

describe('multi-user chaos', () => {
  it("the same chaos seed gives the same delivered companions of another user's run", async () => {
    const deliveredToAlice = async () => {
      const sim = await startSimulator({
        stepDelayMs: 2,
        users,
        delivery: { chaos: { seed: 9, reorderWindow: 3, duplicateRate: 0.3, dropRate: 0.2, maxDelayMs: 2 } },
      })
      const alice = await connect(sim, { token: 'tok-alice' })
      try {
        const [itemId] = sim.enqueueScenario('fanout', { userId: 'bob', params: { count: 2, steps: 3 } })
          .item_ids as [number]
        await sim.whenSettled(itemId)
        await sleep(300)
        expect(alice.events.every((e) => !e.name.startsWith('invocation_'))).toBe(true)
        return alice.events.map(
          (e) => `${e.name}:${e.payload.status ?? ''}:${e.payload.status_sequence ?? ''}`,
        )
      } finally {
        alice.close()
        await sim.close()
      }
    }
    const first = await deliveredToAlice()
    expect(first.length).toBeGreaterThan(0)
    expect(await deliveredToAlice()).toEqual(first)
  })
})

describe('multi-user REST', () => {
  it("another user's item is sanitized for a non-admin: redacted ids and an empty session; full for its owner and the admin", async () => {
    const { sim } = await setup()
    const [itemId] = sim.enqueueScenario('node_error', {
      userId: 'bob',
      origin: 'canvas',
      params: { steps: 1 },
    }).item_ids as [number]
    const full = (await sim.whenSettled(itemId)) as Record<string, unknown>
    const path = `/api/v1/queue/default/i/${itemId}`

    const sanitized = await api(sim, 'GET', path, undefined, 'tok-alice')
    expect(sanitized.status).toBe(200)
    expect(hasNoNulls(sanitized.body)).toBe(true)
    expect(sanitized.body).toMatchObject({
      item_id: itemId,
      status: 'failed',
      status_sequence: full.status_sequence,
      user_id: 'redacted',
      batch_id: 'redacted',
      session_id: 'redacted',
      created_at: full.created_at,
    })
    for (const hidden of ['origin', 'destination', 'error_type', 'error_message', 'error_traceback']) {
      expect(sanitized.body[hidden], hidden).toBeUndefined()
    }
    expect(sanitized.body.session).toMatchObject({
      id: 'redacted',
      graph: { nodes: {}, edges: [] },
      execution_graph: { nodes: {}, edges: [] },
      results: {},
      errors: {},
      executed: [],
      prepared_source_mapping: {},
      source_prepared_mapping: {},
    })

    for (const token of ['tok-bob', 'tok-admin', undefined]) {
      expect((await api(sim, 'GET', path, undefined, token)).body, String(token)).toEqual(full)
    }
    const byIds = await api(
      sim,
      'POST',
      '/api/v1/queue/default/items_by_ids',
      { item_ids: [itemId] },
      'tok-alice',
    )
    expect(byIds.body).toEqual([sanitized.body])
    // The cancel answer of a finished item is sanitized the same way.
    expect((await api(sim, 'PUT', `${path}/cancel`, undefined, 'tok-alice')).body).toEqual(sanitized.body)
  })

  it('enqueue_batch belongs to the bearer-token user; /sim/enqueue takes a user_id; unknown tokens are refused', async () => {
    const { sim, alice, bob } = await setup()
    const graph = { nodes: { a: { id: 'a', type: 'add', a: 1, b: 2 } }, edges: [] }
    const asAlice = await api(
      sim,
      'POST',
      '/api/v1/queue/default/enqueue_batch',
      { batch: { graph } },
      'tok-alice',
    )
    expect(asAlice.status).toBe(200)
    const asBob = await api(sim, 'POST', '/sim/enqueue', { scenario: 'simple', user_id: 'bob' }, 'tok-alice')
    const aliceItem = asAlice.body.item_ids[0] as number
    const bobItem = asBob.body.item_ids[0] as number
    await sim.whenIdle()
    expect(sim.getQueueItem(aliceItem)?.user_id).toBe('alice')
    expect(sim.getQueueItem(bobItem)?.user_id).toBe('bob')
    await bob.waitFor(() => bob.of(bobItem).some(isStatus('completed')))
    await alice.waitFor(() => alice.of(aliceItem).some(isStatus('completed')))
    expect(alice.of(aliceItem).some((e) => e.name === 'invocation_complete')).toBe(true)
    expect(bob.of(aliceItem).every((e) => e.name === 'queue_item_status_changed')).toBe(true)

    expect((await api(sim, 'GET', '/api/v1/queue/default/status', undefined, 'tok-mallory')).status).toBe(401)
    expect((await api(sim, 'POST', '/sim/enqueue', { scenario: 'simple', user_id: 'redacted' })).status).toBe(
      422,
    )
    await expect(connect(sim, { token: 'tok-mallory' })).rejects.toThrow(/invalid token/)
    // Without a token (no authToken set) a client is the single-user system user: it sees everything.
    const anonymous = await connect(sim)
    open.clients.push(anonymous)
    const [later] = sim.enqueueScenario('simple', { userId: 'alice' }).item_ids as [number]
    await anonymous.waitFor(() => anonymous.of(later).some(isStatus('completed')))
    expect(anonymous.of(later).some((e) => e.name === 'invocation_complete')).toBe(true)
  })
})
