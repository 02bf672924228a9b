import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createExecutionStore,
  invocationOutputReceived,
  selectNodeExecutionState,
  type InvocationOutputReceivedPayload,
} from '../../src'
import { createMockSocket, createQueueItemServer, type QueueItemResponse } from '../../src/testing'
import { BASE_URL, createMswServer } from '../helpers/engine'
import {
  complete,
  imageResult,
  persistedItem,
  progress,
  started,
  statusChanged,
  type ItemContext,
  type PersistedCopy,
} from '../helpers/wire'
import { until } from './support'
import { itemOf } from '../../src/features/workflowExecution'

const msw = createMswServer()
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
afterEach(() => msw.resetHandlers())
afterAll(() => msw.close())

const ITEMS = 1_000
const EVENTS_PER_ITEM = 100
/** Items whose events interleave on the wire (several workers, or one server and its cancel thread). */
const INTERLEAVED = 4
const MAX_ITEMS = 100
const RETRIES = 2
const NODES = 3
const PROGRESS_STEPS = 30

type Wire = [event: string, payload: Record<string, unknown>]

/**
 * How each item's run reaches the client, by item id:
 * - `dropped_complete`: node n1's invocation_complete never arrives (only the persisted session has it);
 * - `lost_terminal` (1 in 50): the terminal status never arrives (the item waits for the next reconnect);
 * - `canceled`: canceled while n1 runs; a late progress and a late completion of n1 follow the cancel;
 * - `late_complete`: n2's completion comes after `completed`;
 * - `completed`: in order. Every run also carries 6.13-style duplicates.
 */
type Fate = 'completed' | 'dropped_complete' | 'lost_terminal' | 'canceled' | 'late_complete'

function fateOf(itemId: number): Fate {
  if (itemId % 50 === 7) return 'lost_terminal'
  switch (itemId % 10) {
    case 3:
      return 'dropped_complete'
    case 5:
      return 'canceled'
    case 9:
      return 'late_complete'
    default:
      return 'completed'
  }
}

const ALL_IDS = Array.from({ length: ITEMS }, (_, index) => index + 1)
const LOST_TERMINAL = ALL_IDS.filter((id) => fateOf(id) === 'lost_terminal')

/** REST faults within the retry budget: a 500 once, or two network errors. */
function scriptedFaults(itemId: number): QueueItemResponse[] {
  if (itemId % 13 === 0) return [{ kind: 'status', status: 500 }]
  if (itemId % 17 === 0) return [{ kind: 'network-error' }, { kind: 'network-error' }]
  return []
}

const ctxOf = (itemId: number): ItemContext => ({
  itemId,
  origin: itemId % 2 === 0 ? 'workflows' : 'canvas',
})
const preparedId = (itemId: number, node: number) => `${itemId}-n${node}-copy`
const resultOf = (itemId: number, node: number) => imageResult(`${itemId}-n${node}.png`)

/** Exactly EVENTS_PER_ITEM socket events for one item's run. */
function runEvents(itemId: number): Wire[] {
  const ctx = ctxOf(itemId)
  const fate = fateOf(itemId)
  const inProgress = statusChanged(ctx, 'in_progress', 1, undefined, '2026-08-19 10:15:02.000')
  const events: Wire[] = [['queue_item_status_changed', inProgress]]
  const completion = (node: number): Wire => [
    'invocation_complete',
    complete(ctx, preparedId(itemId, node), `n${node}`, resultOf(itemId, node)),
  ]
  const step = (node: number, percentage: number, image = true): Wire => [
    'invocation_progress',
    progress(
      ctx,
      preparedId(itemId, node),
      `n${node}`,
      percentage,
      image
        ? { width: 64, height: 64, dataURL: `data:image/png;base64,${itemId}-${node}-${percentage}` }
        : null,
    ),
  ]
  for (let node = 0; node < NODES; node += 1) {
    if (fate === 'canceled' && node === 2) break
    events.push(['invocation_started', started(ctx, preparedId(itemId, node), `n${node}`)])
    for (let s = 1; s <= PROGRESS_STEPS; s += 1) events.push(step(node, s / PROGRESS_STEPS))
    if (fate === 'canceled' && node === 1) {
      events.push(['queue_item_status_changed', statusChanged(ctx, 'canceled', 2)])
      events.push(step(node, 1, false), completion(node))
    } else if (!(fate === 'dropped_complete' && node === 1) && !(fate === 'late_complete' && node === 2)) {
      events.push(completion(node))
    }
  }
  if (fate !== 'canceled' && fate !== 'lost_terminal') {
    events.push(['queue_item_status_changed', statusChanged(ctx, 'completed', 2)])
  }
  if (fate === 'late_complete') events.push(completion(2))
  // 6.13 delivered everything twice: a duplicate completion, then duplicate status and progress events.
  events.push(completion(0))
  while (events.length < EVENTS_PER_ITEM) {
    events.push(
      events.length % 2 === 0
        ? ['queue_item_status_changed', inProgress]
        : step(0, 1 / PROGRESS_STEPS, false),
    )
  }
  return events
}

/** What the server persisted for the item: every copy that finished. */
function persistedCopies(itemId: number): PersistedCopy[] {
  const nodes = fateOf(itemId) === 'canceled' ? 2 : NODES
  return Array.from({ length: nodes }, (_, node) => ({
    preparedId: preparedId(itemId, node),
    sourceId: `n${node}`,
    result: resultOf(itemId, node),
  }))
}

/** The wire: INTERLEAVED items at a time, their events alternating. */
function* storm(): Generator<Wire> {
  for (let first = 1; first <= ITEMS; first += INTERLEAVED) {
    const runs = Array.from({ length: INTERLEAVED }, (_, index) => first + index)
      .filter((id) => id <= ITEMS)
      .map(runEvents)
    for (let index = 0; index < EVENTS_PER_ITEM; index += 1) {
      for (const run of runs) yield run[index] as Wire
    }
  }
}

describe('an event storm', () => {
  it(`${ITEMS} items x ${EVENTS_PER_ITEM} events (${ITEMS * EVENTS_PER_ITEM} events; drops, duplicates, late completions, cancels, REST faults): bounded requests and entities, every persisted output once, and a normal run afterwards is applied`, async () => {
    expect(runEvents(10)).toHaveLength(EVENTS_PER_ITEM)
    expect(runEvents(15)).toHaveLength(EVENTS_PER_ITEM)

    const queueItems = createQueueItemServer({ baseUrl: BASE_URL })
    msw.use(...queueItems.handlers)
    const store = createExecutionStore({
      baseUrl: BASE_URL,
      maxItems: MAX_ITEMS,
      devChecks: false,
      devTools: false,
      retries: RETRIES,
      backoffMs: 5,
      canceledReconcileDelayMs: 10,
      // The storm is about the socket and REST faults; what hydration learns on connect is tested apart.
      hydrate: false,
    })
    const outputs: InvocationOutputReceivedPayload[] = []
    store.startListening({
      actionCreator: invocationOutputReceived,
      effect: (action) => void outputs.push(action.payload),
    })
    const reconciliations = new Map<number, number>()
    store.startListening({
      actionCreator: store.execution.reconcileQueueItem.pending,
      effect: (action) => {
        const { itemId } = action.meta.arg
        reconciliations.set(itemId, (reconciliations.get(itemId) ?? 0) + 1)
      },
    })
    // At every notification: entities <= maxItems + unsettled, and beyond the cap nothing evictable is kept
    // (every settled item left is some origin's current run).
    const bound = { checks: 0, maxTracked: 0, violations: 0 }
    const unsubscribe = store.subscribe(() => {
      const { items, config, activeItemIdByOrigin } = store.getState().workflowExecution
      bound.checks += 1
      bound.maxTracked = Math.max(bound.maxTracked, items.ids.length)
      if (items.ids.length <= config.maxItems) return
      const active = new Set(Object.values(activeItemIdByOrigin))
      const unsettled = items.ids.filter((id) => itemOf(items, id)?.settled === false).length
      const evictable = items.ids.filter((id) => itemOf(items, id)?.settled && !active.has(id)).length
      if (items.ids.length > config.maxItems + unsettled || evictable > 0) bound.violations += 1
    })
    const socket = createMockSocket()
    const unbind = store.bindSocket(socket)
    socket.connect()

    for (let itemId = 1; itemId <= ITEMS; itemId += 1) {
      queueItems.setItem(
        persistedItem(
          ctxOf(itemId),
          fateOf(itemId) === 'canceled' ? 'canceled' : 'completed',
          2,
          persistedCopies(itemId),
        ),
      )
      const faults = scriptedFaults(itemId)
      if (faults.length > 0) queueItems.script(itemId, ...faults)
    }

    const pushed = { events: 0 }
    for (const [event, payload] of storm()) {
      socket.serverPush(event, payload)
      pushed.events += 1
      // The server takes turns with the client's I/O: let REST answers in between bursts.
      if (pushed.events % (INTERLEAVED * EVENTS_PER_ITEM) === 0)
        await new Promise((resolve) => setImmediate(resolve))
    }
    const settled = () => store.execution.inFlightCount() === 0
    await until(settled, 30_000, 'reconciliations after the storm')
    expect(pushed.events).toBe(ITEMS * EVENTS_PER_ITEM)

    // Items whose terminal status was lost wait, unsettled, for the next reconnect.
    const { items } = store.getState().workflowExecution
    const waiting = items.ids.filter((id) => itemOf(items, id)?.settled === false)
    expect([...waiting].sort((a, b) => a - b)).toEqual(LOST_TERMINAL)
    socket.reconnect()
    await until(settled, 30_000, 'the resync after the reconnect')
    await new Promise((resolve) => setTimeout(resolve, 20))

    // Trailing duplicates of long-evicted items change nothing (E1).
    const tracked = new Set(store.getState().workflowExecution.items.ids)
    const evicted = ALL_IDS.filter((id) => !tracked.has(id)).slice(0, 50)
    const before = store.getState().workflowExecution
    const delivered = outputs.length
    for (const itemId of evicted) {
      socket.serverPush(
        'invocation_complete',
        complete(ctxOf(itemId), preparedId(itemId, 0), 'n0', resultOf(itemId, 0)),
      )
    }
    const trailing = store.getState().workflowExecution
    expect(trailing.stats.evictedEventsIgnored - before.stats.evictedEventsIgnored).toBe(50)
    expect(trailing.items).toBe(before.items)
    expect(outputs.length).toBe(delivered)

    // Retries stay bounded: one reconciliation per item, at most retries + 1 requests each.
    expect(queueItems.requests.length).toBeLessThanOrEqual(ITEMS * (RETRIES + 1))
    for (let itemId = 1; itemId <= ITEMS; itemId += 1) {
      expect(reconciliations.get(itemId), `item ${itemId}`).toBe(1)
      expect(queueItems.requestsFor(itemId), `item ${itemId}`).toHaveLength(1 + scriptedFaults(itemId).length)
    }

    // Nothing persisted is lost, nothing is delivered twice.
    const expected = new Set<string>()
    for (const itemId of ALL_IDS) {
      for (const copy of persistedCopies(itemId)) expected.add(`${itemId}/${copy.preparedId}`)
    }
    const keys = outputs.map((output) => `${output.itemId}/${output.preparedId}`)
    expect(keys.length).toBe(expected.size)
    expect(new Set(keys)).toEqual(expected)
    const viaReconciliation = outputs.filter((output) => output.via === 'reconciliation')
    expect(viaReconciliation.map((output) => output.preparedId).sort()).toEqual(
      ALL_IDS.filter((id) => fateOf(id) === 'dropped_complete')
        .map((id) => preparedId(id, 1))
        .sort(),
    )

    // Entities stayed within the cap but for unsettled items.
    const final = store.getState().workflowExecution
    expect(bound.checks).toBeGreaterThan(ITEMS)
    expect(bound.violations).toBe(0)
    expect(bound.maxTracked).toBeGreaterThanOrEqual(MAX_ITEMS)
    expect(final.items.ids.length).toBeLessThanOrEqual(MAX_ITEMS)
    expect(final.evictionCount).toBeGreaterThanOrEqual(ITEMS - MAX_ITEMS)
    expect(final.evictedIds.length).toBeLessThanOrEqual(final.config.maxEvictedIds)

    // The store still works: a normal run after the storm is applied as it comes.
    const after = { itemId: ITEMS + 1, origin: 'workflows' }
    const results: PersistedCopy[] = [
      { preparedId: 'after-a', sourceId: 'denoise', result: { type: 'latents_output' } },
      { preparedId: 'after-b', sourceId: 'l2i', result: imageResult('after.png') },
    ]
    queueItems.setItem(persistedItem(after, 'completed', 2, results))
    socket.serverPush(
      'queue_item_status_changed',
      statusChanged(after, 'in_progress', 1, undefined, '2026-08-19 11:00:00.000'),
    )
    socket.serverPush('invocation_started', started(after, 'after-a', 'denoise'))
    socket.serverPush('invocation_progress', progress(after, 'after-a', 'denoise', 0.5))
    expect(selectNodeExecutionState(store.getState(), after.itemId, 'denoise')).toMatchObject({
      status: 'IN_PROGRESS',
      progress: 0.5,
    })
    socket.serverPush(
      'invocation_complete',
      complete(after, 'after-a', 'denoise', { type: 'latents_output' }),
    )
    socket.serverPush('invocation_started', started(after, 'after-b', 'l2i'))
    socket.serverPush('invocation_complete', complete(after, 'after-b', 'l2i', imageResult('after.png')))
    socket.serverPush('queue_item_status_changed', statusChanged(after, 'completed', 2))
    await until(settled, 10_000, 'the run after the storm')
    expect(itemOf(store.getState().workflowExecution.items, after.itemId)).toMatchObject({
      status: 'completed',
      settled: true,
      reconciliation: { phase: 'done' },
    })
    expect(store.getState().workflowExecution.activeItemIdByOrigin.workflows).toBe(after.itemId)
    expect(selectNodeExecutionState(store.getState(), after.itemId, 'l2i')).toMatchObject({
      status: 'COMPLETED',
      outputs: [imageResult('after.png')],
    })
    expect(
      outputs
        .filter((output) => output.itemId === after.itemId)
        .map((output) => [output.preparedId, output.via]),
    ).toEqual([
      ['after-a', 'socket'],
      ['after-b', 'socket'],
    ])

    unsubscribe()
    unbind()
    store.close()
  }, 120_000)
})
