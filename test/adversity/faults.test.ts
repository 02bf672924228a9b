import { describe, expect, it } from 'vitest'
import { selectNodeExecutionState, selectRecentDecisions } from '../../src'
import type { QueueItemResponse } from '../../src/testing'
import type { Engine } from '../helpers/engine'
import { useEngines } from '../helpers/harness'
import { complete, imageResult, persistedItem, started, statusChanged, stripNulls } from '../helpers/wire'
import { until } from './support'

const engine = useEngines()

const RETRIES = 2
const TIMEOUT_MS = 50
const one = { itemId: 1 }
const first = imageResult('first.png')
const second = imageResult('second.png')

/** What the server persisted: copy p1 (also sent over the socket) and p2 (only ever persisted). */
const persisted = () =>
  persistedItem(one, 'completed', 2, [
    { preparedId: 'p1', sourceId: 'l2i', result: first },
    { preparedId: 'p2', sourceId: 'l2i', result: second },
  ])

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const rules = (e: Engine) => selectRecentDecisions(e.store.getState(), 1).map((decision) => decision.rule)
const delivered = (e: Engine) => e.outputs().map((output) => [output.preparedId, output.via])

const FAULTS: [string, () => QueueItemResponse, RegExp][] = [
  ['HTTP 500', () => ({ kind: 'status', status: 500 }), /HTTP 500/],
  ['a per-attempt timeout (the server never answers)', () => ({ kind: 'hang' }), /timed out after 50 ms/],
  ['a network error', () => ({ kind: 'network-error' }), /TypeError: Failed to fetch/],
  ['malformed JSON', () => ({ kind: 'malformed' }), /SyntaxError/],
  [
    'an answer for another item id',
    () => ({ kind: 'item', item: persistedItem({ itemId: 77 }, 'completed', 2, []) }),
    /response is for item 77, not 1/,
  ],
  [
    'JSON that is not a queue item',
    () => ({ kind: 'item', item: { item_id: 1, status: 'exploded', session: {} } }),
    /malformed queue item: status/,
  ],
]

describe('reconciliation faults: no status changes on a failure, bounded retries, a visible record, recovery', () => {
  it.each(FAULTS)(
    'a completed item whose reconciliation fails with %s on every attempt gives up visibly after retries + 1 requests, and succeeds after the next reconnect',
    async (_label, answer, cause) => {
      const e = engine({ retries: RETRIES, timeoutMs: TIMEOUT_MS })
      e.queueItems.setItem(persisted())
      // Exactly retries + 1 failures; a fourth request would get the real answer.
      e.queueItems.script(1, answer(), answer(), answer())
      e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
      e.push('invocation_started', started(one, 'p1', 'l2i'))
      e.push('invocation_complete', complete(one, 'p1', 'l2i', first))
      e.push('invocation_started', started(one, 'p2', 'l2i'))
      e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
      await e.settle()

      expect(e.queueItems.requestsFor(1)).toHaveLength(RETRIES + 1)
      expect(e.item(1)).toMatchObject({
        status: 'completed',
        statusSequence: 2,
        settled: true,
        reconciliation: { phase: 'gave_up', attempts: RETRIES + 1, snapshotStatus: null },
      })
      expect(e.item(1)?.reconciliation.lastError).toMatch(cause)
      expect(rules(e).slice(-4)).toEqual(['R0', 'R5', 'R5', 'R5'])
      // What the socket said stands; the copy it left running is not shown running any more.
      expect(selectNodeExecutionState(e.store.getState(), 1, 'l2i')).toMatchObject({
        status: 'CANCELED',
        outputs: [first],
      })
      expect(delivered(e)).toEqual([['p1', 'socket']])
      // Given up means given up: no request follows on its own.
      await wait(120)
      expect(e.queueItems.requestsFor(1)).toHaveLength(RETRIES + 1)

      e.socket.reconnect()
      await e.settle()

      expect(e.queueItems.requestsFor(1)).toHaveLength(RETRIES + 2)
      expect(e.item(1)).toMatchObject({
        status: 'completed',
        settled: true,
        reconciliation: { phase: 'done', snapshotStatus: 'completed' },
      })
      expect(selectNodeExecutionState(e.store.getState(), 1, 'l2i')).toMatchObject({
        status: 'COMPLETED',
        outputs: [first, stripNulls(second)],
      })
      expect(delivered(e)).toEqual([
        ['p1', 'socket'],
        ['p2', 'reconciliation'],
      ])
    },
  )

  it.each(FAULTS)(
    'a running item whose resync after a reconnect fails with %s keeps its status and running node; the following reconnect settles it',
    async (_label, answer, cause) => {
      const e = engine({ retries: RETRIES, timeoutMs: TIMEOUT_MS })
      e.queueItems.script(1, answer(), answer(), answer())
      e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
      e.push('invocation_started', started(one, 'p1', 'l2i'))
      // The rest of the run happens while the client is away.
      e.socket.disconnect()
      e.push('invocation_complete', complete(one, 'p1', 'l2i', first))
      e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
      e.socket.connect()
      await e.settle()

      expect(e.queueItems.requestsFor(1)).toHaveLength(RETRIES + 1)
      expect(e.item(1)).toMatchObject({
        status: 'in_progress',
        statusSequence: 1,
        settled: false,
        reconciliation: { phase: 'gave_up', attempts: RETRIES + 1 },
      })
      expect(e.item(1)?.reconciliation.lastError).toMatch(cause)
      expect(selectNodeExecutionState(e.store.getState(), 1, 'l2i')?.status).toBe('IN_PROGRESS')
      expect(e.outputs()).toEqual([])

      e.queueItems.setItem(persisted())
      e.socket.reconnect()
      await e.settle()

      expect(e.item(1)).toMatchObject({
        status: 'completed',
        statusSequence: 2,
        settled: true,
        reconciliation: { phase: 'done', snapshotStatus: 'completed' },
      })
      expect(selectNodeExecutionState(e.store.getState(), 1, 'l2i')).toMatchObject({
        status: 'COMPLETED',
        outputs: [stripNulls(first), stripNulls(second)],
      })
      expect(delivered(e)).toEqual([
        ['p1', 'reconciliation'],
        ['p2', 'reconciliation'],
      ])
    },
  )

  it('a reconciliation that times out three times gives up visibly; the server saw every attempt aborted at its timeout', async () => {
    const e = engine({ retries: RETRIES, timeoutMs: TIMEOUT_MS })
    e.queueItems.setItem(persisted())
    e.queueItems.script(1, { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' })
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    await e.settle()

    expect(e.queueItems.requestsFor(1).map((request) => request.aborted)).toEqual([true, true, true])
    const rejected = e.actions.filter(e.engine.reconcileQueueItem.rejected.match)
    expect(rejected).toHaveLength(1)
    expect(rejected[0]?.meta.aborted).toBe(false)
    expect(rejected[0]?.payload).toEqual({ error: `timed out after ${TIMEOUT_MS} ms`, attempts: RETRIES + 1 })
    expect(e.item(1)?.reconciliation).toMatchObject({
      phase: 'gave_up',
      lastError: `timed out after ${TIMEOUT_MS} ms`,
    })

    e.socket.reconnect()
    await e.settle()
    expect(e.item(1)?.reconciliation).toMatchObject({ phase: 'done', snapshotStatus: 'completed' })
    expect(delivered(e)).toEqual([
      ['p1', 'reconciliation'],
      ['p2', 'reconciliation'],
    ])
  })

  it('a timeout, then a 500, then the answer: within the retry budget the reconciliation succeeds, and the record keeps the two failures', async () => {
    const e = engine({ retries: RETRIES, timeoutMs: TIMEOUT_MS })
    e.queueItems.setItem(persisted())
    e.queueItems.script(1, { kind: 'hang' }, { kind: 'status', status: 500 })
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    await e.settle()

    expect(e.queueItems.requestsFor(1)).toHaveLength(3)
    expect(e.item(1)?.reconciliation).toMatchObject({
      phase: 'done',
      attempts: 2,
      snapshotStatus: 'completed',
    })
    expect(rules(e).slice(-4)).toEqual(['R0', 'R5', 'R5', 'R1'])
    expect(delivered(e)).toEqual([
      ['p1', 'reconciliation'],
      ['p2', 'reconciliation'],
    ])
  })

  it('a 404 is an answer, not a fault: one request, no retry; a completed item keeps its status and what the socket delivered', async () => {
    const e = engine({ retries: RETRIES })
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'p1', 'l2i'))
    e.push('invocation_complete', complete(one, 'p1', 'l2i', first))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    await e.settle()

    expect(e.queueItems.requestsFor(1)).toHaveLength(1)
    expect(e.item(1)).toMatchObject({
      status: 'completed',
      settled: true,
      reconciliation: { phase: 'done', attempts: 0, snapshotStatus: 'gone', lastError: null },
    })
    expect(rules(e).at(-1)).toBe('R3')
    expect(selectNodeExecutionState(e.store.getState(), 1, 'l2i')).toMatchObject({
      status: 'COMPLETED',
      outputs: [first],
    })
    expect(delivered(e)).toEqual([['p1', 'socket']])

    // Settled on positive evidence: a reconnect does not ask again.
    e.socket.reconnect()
    await e.settle()
    expect(e.queueItems.requestsFor(1)).toHaveLength(1)
  })

  it('a 404 after two 500s settles a running item as gone on the third attempt', async () => {
    const e = engine({ retries: RETRIES })
    e.queueItems.script(1, { kind: 'status', status: 500 }, { kind: 'status', status: 502 })
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'p1', 'l2i'))
    e.socket.reconnect()
    await e.settle()

    expect(e.queueItems.requestsFor(1)).toHaveLength(3)
    expect(e.item(1)).toMatchObject({
      status: 'canceled',
      settled: true,
      reconciliation: { phase: 'done', attempts: 2, snapshotStatus: 'gone' },
    })
    expect(rules(e).slice(-4)).toEqual(['R0', 'R5', 'R5', 'R3'])
    expect(selectNodeExecutionState(e.store.getState(), 1, 'l2i')?.status).toBe('CANCELED')
  })
})

describe('the socket drops while a reconciliation is failing or waiting', () => {
  it.each([
    ['while an attempt hangs', { kind: 'hang' } as const, 10_000],
    ['during the backoff after a 500', { kind: 'status', status: 500 } as const, 10_000],
  ])(
    'a disconnect %s stops the reconciliation at once: no request while disconnected, a fresh round after the reconnect',
    async (_label, answer, timeoutMs) => {
      const e = engine({ retries: 3, backoffMs: 300, timeoutMs })
      e.queueItems.setItem(persisted())
      e.queueItems.script(1, answer)
      e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
      e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
      await until(() => e.queueItems.requestsFor(1).length === 1, 5_000, 'the first request')
      if (answer.kind === 'status') {
        await until(() => e.item(1)?.reconciliation.phase === 'failed', 5_000, 'the failed attempt')
      }

      e.socket.disconnect()
      await e.settle()
      expect(e.item(1)).toMatchObject({
        status: 'completed',
        settled: false,
        reconciliation: { phase: 'aborted' },
      })
      if (answer.kind === 'hang') expect(e.queueItems.requestsFor(1)[0]?.aborted).toBe(true)
      // Longer than the backoff: a retry that was not stopped would show here.
      await wait(400)
      expect(e.queueItems.requestsFor(1)).toHaveLength(1)
      expect(
        e.actions.filter(e.engine.reconcileQueueItem.rejected.match).map((action) => action.meta.aborted),
      ).toEqual([true])

      e.socket.connect()
      await e.settle()
      expect(e.queueItems.requestsFor(1)).toHaveLength(2)
      expect(e.item(1)).toMatchObject({
        settled: true,
        reconciliation: { phase: 'done', attempts: 0, snapshotStatus: 'completed' },
      })
      expect(delivered(e)).toEqual([
        ['p1', 'reconciliation'],
        ['p2', 'reconciliation'],
      ])
    },
  )

  it('a connection that flaps five times while the answer is slow makes one request per connection and applies exactly one answer', async () => {
    const e = engine({ retries: RETRIES })
    e.queueItems.setItem(persisted())
    e.queueItems.setDelay(1, 60)
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'p1', 'l2i'))
    for (let flap = 0; flap < 5; flap += 1) {
      e.socket.reconnect()
      await wait(15)
    }
    await e.settle()

    const requests = e.queueItems.requestsFor(1)
    expect(requests).toHaveLength(5)
    expect(requests.map((request) => request.aborted)).toEqual([true, true, true, true, false])
    expect(e.actions.filter(e.engine.reconcileQueueItem.fulfilled.match)).toHaveLength(1)
    expect(e.item(1)).toMatchObject({ status: 'completed', settled: true, reconciliation: { phase: 'done' } })
    expect(delivered(e)).toEqual([
      ['p1', 'reconciliation'],
      ['p2', 'reconciliation'],
    ])
  })
})
