import type { UnknownAction } from '@reduxjs/toolkit'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createExecutionStore,
  eventRejected,
  invocationProgress,
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectNodeExecutionState,
  selectQueueItemExecution,
  type EventRejectedPayload,
  type SessionQueueItem,
  type SocketEventName,
} from '../../src'
import { MAX_PROGRESS_IMAGE_CHARS } from '../../src/features/workflowExecution'
import { validateSocketEvent } from '../../src/invokeai'
import { socketEventActions } from '../../src/invokeai'
import { bindSocket } from '../../src/invokeai'
import { createMockSocket } from '../../src/testing'
import { useEngines } from '../helpers/harness'
import { complete, imageResult, progress, started, statusChanged, stripNulls } from '../helpers/wire'
import {
  badPayloadPlans,
  buildBadPayload,
  extremePlans,
  VALID_PAYLOADS,
  type BadPayloadPlan,
} from './badPayloads'
import { dataUrlOf, HOSTILE_IDS, ownRecord, pollutingKeys, prototypeFingerprint } from './support'

const engine = useEngines()

const EVENTS = Object.keys(socketEventActions) as SocketEventName[]
/** Generated cases per event type, on top of the hand-picked extremes. */
const GENERATED_PER_EVENT = Number(process.env.HOSTILE_RUNS ?? 200)
const DEFAULT_PREVIEW_CHARS = 512
const MAX_ISSUES = 10
const MAX_ISSUE_MESSAGE_CHARS = 200

/**
 * A standalone store (createExecutionStore, dev checks on) bound to a mock socket, tracking items the bad
 * payloads are about: item 1 running copy `p` of node `n`, item 2 pending, item 3 waiting.
 */
function trackedStore(options: { maxPreviewChars?: number } = {}) {
  const fetches: number[] = []
  const store = createExecutionStore({
    devTools: false,
    hydrate: false,
    fetchQueueItem: async ({ itemId }) => {
      fetches.push(itemId)
      throw new Error('no fetch expected')
    },
  })
  const actions: UnknownAction[] = []
  store.startListening({ predicate: () => true, effect: (action) => void actions.push(action) })
  const socket = createMockSocket()
  const unbind = bindSocket(socket, store.dispatch, options)
  socket.connect()
  socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1))
  socket.serverPush('invocation_started', started({ itemId: 1 }, 'p', 'n'))
  socket.serverPush('invocation_progress', progress({ itemId: 1 }, 'p', 'n', 0.25))
  socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 2 }, 'pending', 0))
  socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 3 }, 'in_progress', 1))
  socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 3 }, 'waiting', 2))
  const close = () => {
    unbind()
    store.close()
  }
  return { store, socket, actions, fetches, close, state: () => store.getState().workflowExecution }
}

function jsonPreviewOf(payload: unknown): string | null {
  try {
    return JSON.stringify(payload) ?? String(payload)
  } catch {
    return null
  }
}

/** One bad payload in, exactly one visible rejection out, and not a byte of state changed. */
function expectRejectedOnce(
  harness: ReturnType<typeof trackedStore>,
  event: SocketEventName,
  payload: unknown,
  maxPreviewChars = DEFAULT_PREVIEW_CHARS,
) {
  // The generator makes only payloads that break the schema; a valid one would be a generator bug.
  expect(validateSocketEvent(event, payload).ok).toBe(false)
  const before = harness.state()
  const root = harness.store.getState()
  const seen = harness.actions.length

  expect(() => harness.socket.serverPush(event, payload)).not.toThrow()

  expect(harness.state()).toBe(before)
  expect(harness.store.getState()).toBe(root)
  const added = harness.actions.slice(seen)
  expect(added.map((action) => action.type)).toEqual([eventRejected.type])
  const rejected = (added[0] as unknown as { payload: EventRejectedPayload }).payload
  expect(rejected.event).toBe(event)
  expect(rejected.issues.length).toBeGreaterThanOrEqual(1)
  expect(rejected.issues.length).toBeLessThanOrEqual(MAX_ISSUES)
  for (const issue of rejected.issues) {
    expect(typeof issue.path).toBe('string')
    expect(typeof issue.message).toBe('string')
    expect(issue.message.length).toBeGreaterThan(0)
    expect(issue.message.length).toBeLessThanOrEqual(MAX_ISSUE_MESSAGE_CHARS)
  }
  expect(typeof rejected.preview).toBe('string')
  expect(rejected.preview.length).toBeLessThanOrEqual(maxPreviewChars)
  const json = jsonPreviewOf(payload)
  if (json !== null) {
    // The preview is the start of the payload as JSON, cut at the bound.
    expect(rejected.preview.length).toBe(Math.min(maxPreviewChars, json.length))
    expect(json.startsWith(rejected.preview)).toBe(true)
  } else {
    expect(rejected.preview.length).toBeGreaterThan(0)
  }
}

describe('hostile payloads through a real socket binding: rejected once, visibly, changing nothing', () => {
  it.each(EVENTS.map((event) => ({ event, extremes: extremePlans(event).length })))(
    `$event: ${GENERATED_PER_EVENT} generated schema-breaking payloads and $extremes hand-picked extremes (missing and mistyped fields, 1-5 MB strings, 10,000-level nesting, NaN, Infinity, negative and fractional ids, non-objects) are each rejected once and change nothing`,
    ({ event }) => {
      const harness = trackedStore()
      const prototypes = prototypeFingerprint()
      const examples = extremePlans(event)
      const counted = { cases: 0 }
      fc.assert(
        fc.property(badPayloadPlans(event), (plan: BadPayloadPlan) => {
          counted.cases += 1
          expectRejectedOnce(harness, event, buildBadPayload(plan))
        }),
        // fast-check counts the examples in numRuns.
        { numRuns: GENERATED_PER_EVENT + examples.length, examples: examples.map((plan) => [plan]) },
      )
      expect(counted.cases).toBe(GENERATED_PER_EVENT + examples.length)
      expect(harness.actions.filter(eventRejected.match)).toHaveLength(counted.cases)
      expect(harness.fetches).toEqual([])
      expect(harness.store.execution.inFlightCount()).toBe(0)
      expect(prototypeFingerprint()).toEqual(prototypes)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      harness.close()
    },
    60_000,
  )

  it('the payloads they are mutated from are accepted, and all but the two with no item ids change the state', () => {
    for (const event of EVENTS) {
      const harness = trackedStore()
      const before = harness.state()
      const seen = harness.actions.length
      harness.socket.serverPush(event, VALID_PAYLOADS[event]())
      const types = harness.actions.slice(seen).map((action) => action.type)
      expect(types, event).toContain(socketEventActions[event].type)
      expect(types, event).not.toContain(eventRejected.type)
      if (event === 'batch_enqueued' || event === 'queue_items_retried') expect(harness.state()).toBe(before)
      else expect(harness.state(), event).not.toBe(before)
      harness.close()
    }
  })

  it('the preview bound is the binding option: a 5 MB payload leaves at most maxPreviewChars of it', () => {
    const harness = trackedStore({ maxPreviewChars: 64 })
    const plans: BadPayloadPlan[] = [
      {
        event: 'invocation_complete',
        mutations: [{ field: 'item_id', value: { huge: 5 * 1_048_576 } }],
        bulk: 5 * 1_048_576,
        pollute: true,
      },
      { event: 'queue_cleared', whole: { deepObject: 10_000 }, mutations: [], bulk: null, pollute: false },
    ]
    for (const plan of plans) expectRejectedOnce(harness, plan.event, buildBadPayload(plan), 64)
    const previews = harness.actions.filter(eventRejected.match).map((action) => action.payload.preview)
    expect(previews.map((preview) => preview.length)).toEqual([64, expect.any(Number)])
    expect(previews[0]?.startsWith('{"timestamp":1787134502,"queue_id":"default","item_id":"xxx')).toBe(true)
    harness.close()
  })
})

// --- ids that name Object.prototype members ----------------------------------------------------------

/** A persisted item built as REST's JSON parser builds it: hostile keys are own keys. */
function persistedWithOwnKeys(
  itemId: number,
  origin: string,
  status: 'completed' | 'failed',
  copies: { preparedId: string; sourceId: string | null; result?: unknown; error?: string }[],
): SessionQueueItem {
  const mapped = copies.filter((copy) => copy.sourceId !== null)
  const sources = [...new Set(mapped.map((copy) => copy.sourceId as string))]
  const executed = copies.filter((copy) => copy.result || copy.error).map((copy) => copy.preparedId)
  return {
    item_id: itemId,
    status,
    status_sequence: 2,
    queue_id: 'default',
    batch_id: `batch-${itemId}`,
    origin,
    destination: 'gallery',
    session_id: `session-${itemId}`,
    user_id: 'system',
    created_at: '2026-08-19 10:15:01.882',
    updated_at: '2026-08-19 10:15:02.391',
    started_at: '2026-08-19 10:15:02.000',
    session: {
      id: `session-${itemId}`,
      results: ownRecord(copies.filter((copy) => copy.result).map((copy) => [copy.preparedId, copy.result])),
      errors: ownRecord(copies.filter((copy) => copy.error).map((copy) => [copy.preparedId, copy.error])),
      prepared_source_mapping: ownRecord(mapped.map((copy) => [copy.preparedId, copy.sourceId])),
      source_prepared_mapping: ownRecord(
        sources.map((source) => [
          source,
          mapped.filter((copy) => copy.sourceId === source).map((copy) => copy.preparedId),
        ]),
      ),
      executed: [...executed, ...sources],
      executed_history: [...executed, ...sources],
    },
  } as unknown as SessionQueueItem
}

/** An image result that also tries to pollute, as the socket's JSON parser would deliver it. */
function pollutingResult(name: string): Record<string, unknown> {
  return Object.assign(pollutingKeys(), imageResult(name))
}

describe('ids that name Object.prototype members are plain ids', () => {
  it('every combination of __proto__, constructor, prototype, toString and hasOwnProperty as origin, node id and prepared ids runs, reconciles and delivers as any id would', async () => {
    const prototypes = prototypeFingerprint()
    const e = engine({ maxItems: 500 })
    const combinations = HOSTILE_IDS.flatMap((origin) =>
      HOSTILE_IDS.flatMap((nodeId) => HOSTILE_IDS.map((preparedId) => ({ origin, nodeId, preparedId }))),
    )
    for (const [index, { origin, nodeId, preparedId }] of combinations.entries()) {
      const itemId = 100 + index
      const ctx = { itemId, origin }
      // A second copy of the node (an iterate fan-out) that only the persisted session knows about.
      const sibling = HOSTILE_IDS[(HOSTILE_IDS.indexOf(preparedId) + 1) % HOSTILE_IDS.length] as string
      const first = pollutingResult(`${itemId}-a.png`)
      const second = pollutingResult(`${itemId}-b.png`)
      e.queueItems.setItem(
        persistedWithOwnKeys(itemId, origin, 'completed', [
          { preparedId, sourceId: nodeId, result: stripNulls(first) },
          { preparedId: sibling, sourceId: nodeId, result: stripNulls(second) },
        ]),
      )
      const viaSocket = index % 2 === 0
      e.push(
        'queue_item_status_changed',
        statusChanged(ctx, 'in_progress', 1, undefined, '2026-08-19 10:15:02.000'),
      )
      e.push('invocation_started', { ...started(ctx, preparedId, nodeId), ...pollutingKeys() })
      e.push('invocation_progress', progress(ctx, preparedId, nodeId, 0.5))
      expect(selectActiveNodeExecutionState(e.store.getState(), origin, nodeId)).toMatchObject({
        nodeId,
        status: 'IN_PROGRESS',
        progress: 0.5,
      })
      if (viaSocket) e.push('invocation_complete', complete(ctx, preparedId, nodeId, first))
      e.push('queue_item_status_changed', statusChanged(ctx, 'completed', 2))
      await e.settle()

      const state = e.store.getState()
      const label = `origin ${origin}, node ${nodeId}, copies ${preparedId} + ${sibling}`
      expect(selectQueueItemExecution(state, itemId), label).toMatchObject({
        status: 'completed',
        settled: true,
        origin,
        reconciliation: { phase: 'done', snapshotStatus: 'completed' },
      })
      const node = selectNodeExecutionState(state, itemId, nodeId)
      expect(node, label).toMatchObject({ nodeId, status: 'COMPLETED', progress: null, error: null })
      expect(
        node?.outputs.map(
          (output) => (output as unknown as { image: { image_name: string } }).image.image_name,
        ),
      ).toEqual([`${itemId}-a.png`, `${itemId}-b.png`])
      // The polluting keys inside each result stayed plain own keys, over the socket and over REST.
      for (const output of node?.outputs ?? []) {
        expect(Object.hasOwn(output, '__proto__')).toBe(true)
        expect(Object.getPrototypeOf(output)).toBe(Object.prototype)
        expect((output as Record<string, unknown>).polluted).toBeUndefined()
      }
      for (const other of HOSTILE_IDS) {
        if (other !== nodeId) expect(selectNodeExecutionState(state, itemId, other), label).toBeUndefined()
      }
      expect(selectActiveItemId(state, origin), label).toBe(itemId)
      expect(selectActiveNodeExecutionState(state, origin, nodeId), label).toBe(node)
      // Each output once, from the right node. (Their order is not asserted here: where a prepared id is
      // also a source id in executed_history, delivery order diverges — see the report.)
      const delivered = e.outputs().filter((output) => output.itemId === itemId)
      expect(
        delivered.map((output) => [output.preparedId, output.sourceNodeId, output.via, output.origin]).sort(),
        label,
      ).toEqual(
        [
          [preparedId, nodeId, viaSocket ? 'socket' : 'reconciliation', origin],
          [sibling, nodeId, 'reconciliation', origin],
        ].sort(),
      )
    }
    const state = e.store.getState()
    expect(Object.keys(state.workflowExecution.activeItemIdByOrigin).sort()).toEqual([...HOSTILE_IDS].sort())
    expect(selectActiveItemId(state, 'valueOf')).toBeUndefined()
    expect(selectNodeExecutionState(state, 100, 'valueOf')).toBeUndefined()
    expect(e.outputs()).toHaveLength(2 * combinations.length)
    expect(prototypeFingerprint()).toEqual(prototypes)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype.toString.call([])).toBe('[object Array]')
  }, 120_000)

  it('a failed fan-out run whose socket dropped is attributed through __proto__-keyed mappings, results and errors on reconnect', async () => {
    const prototypes = prototypeFingerprint()
    const e = engine()
    const run = { itemId: 7, origin: '__proto__', destination: 'constructor' }
    const other = { itemId: 8, origin: 'constructor' }
    // prepared id → source node: two copies of node __proto__, one orphan the mappings do not name.
    e.queueItems.setItem(
      persistedWithOwnKeys(7, '__proto__', 'failed', [
        { preparedId: 'constructor', sourceId: '__proto__', result: imageResult('first.png') },
        { preparedId: '__proto__', sourceId: 'toString', result: { type: 'integer_output', value: 3 } },
        { preparedId: 'prototype', sourceId: '__proto__', result: imageResult('second.png') },
        { preparedId: 'hasOwnProperty', sourceId: 'constructor', result: { type: 'string_output' } },
        { preparedId: 'toString', sourceId: 'hasOwnProperty', error: 'ValueError: bad __proto__ input' },
        { preparedId: 'valueOf', sourceId: 'prototype' },
        { preparedId: 'isPrototypeOf', sourceId: null, result: { type: 'orphan_output' } },
      ]),
    )
    e.push(
      'queue_item_status_changed',
      statusChanged(run, 'in_progress', 1, undefined, '2026-08-19 10:15:02.000'),
    )
    e.push(
      'queue_item_status_changed',
      statusChanged(other, 'in_progress', 1, undefined, '2026-08-19 10:15:03.000'),
    )
    e.push('invocation_started', started(run, 'constructor', '__proto__'))
    e.push('invocation_complete', complete(run, 'constructor', '__proto__', imageResult('first.png')))
    e.push('invocation_started', started(run, '__proto__', 'toString'))
    e.push('invocation_started', started(run, 'valueOf', 'prototype'))
    e.socket.disconnect()
    // Lost while away: the rest of the run, the node error and the terminal status.
    e.push(
      'invocation_complete',
      complete(run, '__proto__', 'toString', { type: 'integer_output', value: 3 }),
    )
    e.push('queue_item_status_changed', statusChanged(run, 'failed', 2, { type: 'ValueError', message: 'x' }))
    expect(selectActiveItemId(e.store.getState(), '__proto__')).toBe(7)
    expect(selectActiveItemId(e.store.getState(), 'constructor')).toBe(8)

    e.socket.connect()
    await e.settle()

    const state = e.store.getState()
    expect(selectQueueItemExecution(state, 7)).toMatchObject({
      status: 'failed',
      settled: true,
      destination: 'constructor',
      reconciliation: { phase: 'done', snapshotStatus: 'failed' },
    })
    expect(selectNodeExecutionState(state, 7, '__proto__')).toMatchObject({
      nodeId: '__proto__',
      status: 'COMPLETED',
      outputs: [imageResult('first.png'), stripNulls(imageResult('second.png'))],
    })
    expect(selectNodeExecutionState(state, 7, 'toString')).toMatchObject({
      nodeId: 'toString',
      status: 'COMPLETED',
      outputs: [{ type: 'integer_output', value: 3 }],
    })
    expect(selectNodeExecutionState(state, 7, 'constructor')).toMatchObject({
      status: 'COMPLETED',
      outputs: [{ type: 'string_output' }],
    })
    expect(selectNodeExecutionState(state, 7, 'hasOwnProperty')).toMatchObject({
      status: 'FAILED',
      outputs: [],
      error: { error_type: 'ValueError', error_message: 'bad __proto__ input', error_traceback: null },
    })
    // Started, never finished: the item stopped, so the copy was cut short.
    expect(selectNodeExecutionState(state, 7, 'prototype')).toMatchObject({ status: 'CANCELED', outputs: [] })
    expect(selectQueueItemExecution(state, 7)?.orphanOutputs).toEqual([
      {
        preparedId: 'isPrototypeOf',
        output: { type: 'orphan_output' },
        invocationType: null,
        isIntermediate: null,
      },
    ])
    expect(selectActiveNodeExecutionState(state, '__proto__', '__proto__')).toBe(
      selectNodeExecutionState(state, 7, '__proto__'),
    )
    expect(selectActiveItemId(state, 'constructor')).toBe(8)
    expect(selectActiveItemId(state, 'prototype')).toBeUndefined()
    expect(
      e
        .outputs()
        .filter((output) => output.itemId === 7)
        .map((output) => [output.preparedId, output.sourceNodeId, output.via])
        .sort(),
    ).toEqual(
      [
        ['constructor', '__proto__', 'socket'],
        ['__proto__', 'toString', 'reconciliation'],
        ['prototype', '__proto__', 'reconciliation'],
        ['hasOwnProperty', 'constructor', 'reconciliation'],
        ['isPrototypeOf', null, 'reconciliation'],
      ].sort(),
    )
    expect(prototypeFingerprint()).toEqual(prototypes)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('progress images far over MAX_PROGRESS_IMAGE_CHARS', () => {
  it('twenty 5 MB progress images: progress values are applied, no image is stored, the state stays small; the raw actions still carry them', () => {
    const e = engine()
    const one = { itemId: 1 }
    const fiveMb = 5 * 1_048_576
    expect(fiveMb).toBeGreaterThan(4 * MAX_PROGRESS_IMAGE_CHARS)
    e.push('queue_item_status_changed', statusChanged(one, 'in_progress', 1))
    e.push('invocation_started', started(one, 'p', 'denoise'))
    for (let step = 1; step <= 20; step += 1) {
      const image = { width: 4096, height: 4096, dataURL: dataUrlOf(fiveMb) }
      e.push('invocation_progress', progress(one, 'p', 'denoise', step / 20, image))
      expect(selectNodeExecutionState(e.store.getState(), 1, 'denoise')).toMatchObject({
        status: 'IN_PROGRESS',
        progress: step / 20,
        progressImage: null,
      })
    }
    const small = { width: 64, height: 64, dataURL: dataUrlOf(1_000) }
    e.push('invocation_progress', progress(one, 'p', 'denoise', 0.5, small))
    e.push(
      'invocation_progress',
      progress(one, 'p', 'denoise', 0.6, { width: 4096, height: 4096, dataURL: dataUrlOf(fiveMb) }),
    )
    // The oversized image is not stored: the node still shows the last one that fit.
    expect(selectNodeExecutionState(e.store.getState(), 1, 'denoise')).toMatchObject({
      progress: 0.6,
      progressImage: small,
    })
    expect(JSON.stringify(e.store.getState()).length).toBeLessThan(20_000)
    const raw = e.actions.filter(invocationProgress.match)
    expect(raw).toHaveLength(22)
    expect(raw[0]?.payload.image?.dataURL).toHaveLength(fiveMb)
  })
})
