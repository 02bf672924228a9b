// GET /sim/users: the demo page's user switch lists the simulator's users with the token of each.
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { Simulator, SimulatorOptions } from '../types'
import { api } from './helpers'

const users = { 'tok-alice': 'alice', 'tok-bob': 'bob', 'tok-admin': 'admin' }

const open: { sim?: Simulator } = {}

afterEach(async () => {
  await open.sim?.close()
  open.sim = undefined
})

async function start(options: SimulatorOptions) {
  open.sim = await startSimulator({ stepDelayMs: 2, ...options })
  return open.sim
}

describe('GET /sim/users', () => {
  it('lists the token-less system user, then each configured user with its token', async () => {
    const sim = await start({ users })
    const expected = [
      { userId: 'system', token: null },
      { userId: 'alice', token: 'tok-alice' },
      { userId: 'bob', token: 'tok-bob' },
      { userId: 'admin', token: 'tok-admin' },
    ]
    expect(await api(sim, 'GET', '/sim/users')).toEqual({ status: 200, body: expected })
    expect(sim.users()).toEqual(expected)
    // Any listed token is a way in; an unlisted one is refused like everywhere else.
    expect((await api(sim, 'GET', '/sim/users', undefined, 'tok-bob')).status).toBe(200)
    expect((await api(sim, 'GET', '/sim/users', undefined, 'tok-mallory')).status).toBe(401)
  })

  it('lists the shared authToken as the system user, and nothing answers without a token', async () => {
    const sim = await start({ authToken: 'shared', users: { 'tok-alice': 'alice' } })
    expect((await api(sim, 'GET', '/sim/users')).status).toBe(401)
    expect((await api(sim, 'GET', '/sim/users', undefined, 'tok-alice')).body).toEqual([
      { userId: 'system', token: 'shared' },
      { userId: 'alice', token: 'tok-alice' },
    ])
  })

  it('without users: the single-user system user, without a token', async () => {
    const sim = await start({})
    expect((await api(sim, 'GET', '/sim/users')).body).toEqual([{ userId: 'system', token: null }])
  })

  it("each listed token enqueues as its user through /sim/enqueue (the caller's identity)", async () => {
    const sim = await start({ users })
    for (const { userId, token } of sim.users()) {
      const { status, body } = await api(
        sim,
        'POST',
        '/sim/enqueue',
        { scenario: 'simple' },
        token ?? undefined,
      )
      expect(status).toBe(200)
      const [itemId] = body.item_ids as [number]
      expect((await sim.whenSettled(itemId))?.user_id).toBe(userId)
    }
  })
})
