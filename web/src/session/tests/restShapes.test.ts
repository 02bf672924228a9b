import { afterEach, describe, expect, it, vi } from 'vitest'
import { createServerApi, ServerError } from '../api'
import type { ServerTarget } from '../target'

const target: ServerTarget = {
  baseUrl: 'http://server.test',
  socketOrigin: undefined,
  socketPath: '/ws/socket.io',
  token: null,
  label: 'test',
}

/** Every request answered 200 with `body` as JSON. */
function serverAnswering(body: unknown) {
  vi.stubGlobal('fetch', async () => new Response(JSON.stringify(body), { status: 200 }))
  return createServerApi(target)
}

const counts = { pending: 1, in_progress: 0, completed: 2, failed: 0, canceled: 0, total: 3 }

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('REST answers are checked before the page shows them', () => {
  it('passes the shapes it expects, with fields it does not read', async () => {
    expect(await serverAnswering({ queue: { ...counts, queue_id: 'x' } }).queueStatus()).toMatchObject(counts)
    expect(await serverAnswering({ item_ids: [4], batch: {} }).enqueueScenario('s', 1)).toMatchObject({
      item_ids: [4],
    })
    const delivery = { mode: 'in_order', eventsBeforeEnqueueResponse: false, cancelRace: false, chaos: null }
    expect(await serverAnswering(delivery).getDelivery()).toMatchObject(delivery)
  })

  it.each([
    ['objects where counts belong', { queue: { ...counts, pending: { a: 1 }, total: [] } }, /queue\.pending/],
    ['no queue', { processor: {} }, /queue/],
    ['null', null, /\(body\)/],
    ['a string', '<img src=x onerror=alert(1)>', /\(body\)/],
  ])('GET …/status answering %s is a ServerError naming where', async (_case, body, where) => {
    const failure = await serverAnswering(body)
      .queueStatus()
      .catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(ServerError)
    expect((failure as ServerError).message).toMatch(
      /^GET http:\/\/server\.test\/api\/v1\/queue\/default\/status/,
    )
    expect((failure as ServerError).message).toMatch(where)
  })

  it('refuses a wrong delivery, enqueue result and scenario list', async () => {
    await expect(serverAnswering({ mode: { a: 1 }, chaos: 'x' }).getDelivery()).rejects.toThrow(
      /sim\/delivery: unexpected answer: mode/,
    )
    await expect(serverAnswering({ item_ids: { length: 1 } }).enqueueScenario('s', 1)).rejects.toThrow(
      /sim\/enqueue: unexpected answer: item_ids/,
    )
    await expect(serverAnswering([{ name: {} }]).scenarios()).rejects.toThrow(/not a simulator/)
  })
})
