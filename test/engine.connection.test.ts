import { describe, expect, it } from 'vitest'
import { selectNodeExecutionState, selectRecentDecisions, socketDisconnected } from '../src'
import type { Engine } from './helpers/engine'
import { useEngines } from './helpers/harness'
import { complete, imageResult, persistedItem, started, statusChanged, stripNulls } from './helpers/wire'

const engine = useEngines()

const one = { itemId: 1 }
const subscribes = (e: Engine) => e.socket.emitted.filter(([event]) => event === 'subscribe_queue')

describe('disconnects, reconnects and what the server persisted', () => {
  it('a disconnect aborts the reconciliation in flight without a write; after the reconnect the item is reconciled again', async () => {
    const e = engine()
    e.queueItems.setItem(
      persistedItem(one, 'completed', 2, [{ preparedId: 'p', sourceId: 'n', result: { type: 'x' } }]),
    )
    e.queueItems.setDelay(1, 60)
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    expect(e.engine.inFlightCount()).toBe(1)

    e.socket.disconnect()
    await e.settle()
    expect(e.actions.filter(socketDisconnected.match)).toHaveLength(1)
    const rejected = e.actions.filter(e.engine.reconcileQueueItem.rejected.match)
    expect(rejected).toHaveLength(1)
    expect(rejected[0]?.meta.aborted).toBe(true)
    expect(e.item(1)).toMatchObject({ settled: false, reconciliation: { phase: 'aborted' } })
    expect(e.actions.filter(e.engine.reconcileQueueItem.fulfilled.match)).toHaveLength(0)
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')).toBeUndefined()

    e.socket.connect()
    expect(subscribes(e)).toEqual([
      ['subscribe_queue', { queue_id: 'default' }],
      ['subscribe_queue', { queue_id: 'default' }],
    ])
    await e.settle()
    expect(e.queueItems.requestsFor(1)).toHaveLength(2)
    expect(e.item(1)).toMatchObject({ status: 'completed', settled: true, reconciliation: { phase: 'done' } })
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')?.outputs).toEqual([{ type: 'x' }])
  })

  it('an item that finished while the socket was down gets its final state and outputs through reconciliation', async () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'l2i-1', 'l2i'))
    e.socket.disconnect()
    // Sent while the client was away: never seen, never replayed.
    e.push('invocation_complete', complete(one, 'l2i-1', 'l2i', imageResult('lost.png')))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    expect(e.item(1)?.status).toBe('in_progress')

    e.queueItems.setItem(
      persistedItem(one, 'completed', 2, [
        { preparedId: 'l2i-1', sourceId: 'l2i', result: imageResult('lost.png') },
      ]),
    )
    e.socket.connect()
    await e.settle()

    expect(e.item(1)).toMatchObject({ status: 'completed', statusSequence: 2, settled: true })
    expect(selectNodeExecutionState(e.store.getState(), 1, 'l2i')).toMatchObject({
      status: 'COMPLETED',
      outputs: [stripNulls(imageResult('lost.png'))],
    })
    expect(e.outputs()).toMatchObject([{ preparedId: 'l2i-1', via: 'reconciliation', sourceNodeId: 'l2i' }])
  })

  it.each([
    ['a 500', { kind: 'status', status: 500 } as const],
    ['a network error', { kind: 'network-error' } as const],
    ['malformed JSON', { kind: 'malformed' } as const],
    [
      'an answer for another item',
      { kind: 'item', item: persistedItem({ itemId: 77 }, 'completed', 2, []) } as const,
    ],
  ])('%s changes no status: bounded retries, then a visible failure', async (_label, answer) => {
    const e = engine({ retries: 2 })
    e.queueItems.script(1, answer, answer, answer, answer)
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'p', 'n'))
    e.socket.reconnect()
    await e.settle()

    expect(e.queueItems.requestsFor(1)).toHaveLength(3)
    expect(e.item(1)).toMatchObject({
      status: 'in_progress',
      settled: false,
      reconciliation: { phase: 'gave_up', attempts: 3 },
    })
    expect(e.item(1)?.reconciliation.lastError).toBeTruthy()
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')?.status).toBe('IN_PROGRESS')
    const rules = selectRecentDecisions(e.store.getState(), 1).map((decision) => decision.rule)
    expect(rules.slice(-4)).toEqual(['R0', 'R5', 'R5', 'R5'])
  })

  it('a terminal item whose retries ran out counts as settled and is tried again on the next reconnect', async () => {
    const e = engine({ retries: 1 })
    e.queueItems.script(1, { kind: 'status', status: 503 }, { kind: 'status', status: 503 })
    e.queueItems.setItem(
      persistedItem(one, 'completed', 2, [{ preparedId: 'p', sourceId: 'n', result: { type: 'x' } }]),
    )
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'p', 'n'))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    await e.settle()
    expect(e.item(1)).toMatchObject({ settled: true, reconciliation: { phase: 'gave_up' } })
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')?.status).toBe('CANCELED')

    e.socket.reconnect()
    await e.settle()
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')).toMatchObject({
      status: 'COMPLETED',
      outputs: [{ type: 'x' }],
    })
    expect(e.outputs()).toHaveLength(1)
  })

  it('a second drop while a retried item is being re-asked aborts that request and asks again after it', async () => {
    const e = engine({ retries: 0 })
    e.queueItems.script(1, { kind: 'status', status: 500 })
    e.queueItems.setItem(
      persistedItem(one, 'completed', 2, [{ preparedId: 'p', sourceId: 'n', result: { type: 'x' } }]),
    )
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged(one, 'completed', 2))
    await e.settle()
    expect(e.item(1)).toMatchObject({ settled: true, reconciliation: { phase: 'gave_up' } })

    e.queueItems.setDelay(1, 40)
    e.socket.reconnect()
    // The re-ask is in flight; the connection drops again before its answer.
    e.socket.reconnect()
    await e.settle()
    expect(e.queueItems.requestsFor(1)).toHaveLength(3)
    expect(e.item(1)).toMatchObject({ status: 'completed', settled: true, reconciliation: { phase: 'done' } })
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')?.outputs).toEqual([{ type: 'x' }])
  })

  it('a 404 settles a running item as gone: canceled, and no node left in progress', async () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'p', 'n'))
    e.socket.reconnect()
    await e.settle()

    expect(e.item(1)).toMatchObject({
      status: 'canceled',
      settled: true,
      reconciliation: { phase: 'done', snapshotStatus: 'gone' },
    })
    expect(selectNodeExecutionState(e.store.getState(), 1, 'n')?.status).toBe('CANCELED')
    expect(selectRecentDecisions(e.store.getState(), 1).at(-1)).toEqual({
      rule: 'R3',
      event: 'snapshot:gone',
      applied: true,
    })
  })
})
