import { afterEach, describe, expect, it } from 'vitest'
import {
  createExecutionStore,
  eventRejected,
  selectNodeExecutionState,
  selectQueueItemExecution,
  type ExecutionStore,
} from '../../src'
import { MAX_PAYLOAD_DEPTH } from '../../src/features/workflowExecution'
import { type SocketEventName } from '../../src/invokeai'
import { socketEventActions } from '../../src/invokeai'
import { createMockSocket } from '../../src/testing'
import { complete, imageResult, persistedItem, started, statusChanged } from '../helpers/wire'
import { VALID_PAYLOADS } from './badPayloads'
import { deeplyNestedArray, deeplyNestedObject } from './support'

/*
 * A payload 100,000 levels deep, in any field of any event, through the real socket binding and a store
 * with RTK's development checks on (and, separately, in production mode): nothing throws, the payload is
 * rejected visibly, and the item's later events and its reconciliation still work.
 */

const DEPTH = 100_000
const EVENTS = Object.keys(socketEventActions) as SocketEventName[]
const originalEnv = process.env.NODE_ENV

afterEach(() => {
  process.env.NODE_ENV = originalEnv
})

function harness() {
  const persisted = persistedItem({ itemId: 1 }, 'completed', 2, [
    { preparedId: 'p', sourceId: 'n', result: imageResult('after.png') },
  ])
  const store: ExecutionStore = createExecutionStore({
    devTools: false,
    fetchQueueItem: async () => persisted,
    canceledReconcileDelayMs: 0,
  })
  const rejected: string[] = []
  store.startListening({
    actionCreator: eventRejected,
    effect: (action) => void rejected.push(action.payload.event),
  })
  const socket = createMockSocket()
  store.bindSocket(socket)
  socket.connect()
  socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1))
  return { store, socket, rejected }
}

/** Every top-level field of the event's valid payload, and one field it does not have. */
function fieldsOf(event: SocketEventName): string[] {
  return [...Object.keys(VALID_PAYLOADS[event]()), 'unknown_extra_field']
}

async function settled(store: ExecutionStore) {
  for (let spins = 0; spins < 400 && (store.execution.inFlightCount() > 0 || spins < 3); spins += 1)
    await new Promise((resolve) => setTimeout(resolve, 2))
}

describe.each(['development', 'production'])('a payload 100,000 levels deep in %s mode', (mode) => {
  it('in any field of any event: rejected visibly, nothing thrown, the state untouched', () => {
    process.env.NODE_ENV = mode
    const { store, socket, rejected } = harness()
    let cases = 0
    for (const event of EVENTS) {
      for (const field of fieldsOf(event)) {
        for (const deep of [deeplyNestedObject(DEPTH), deeplyNestedArray(DEPTH)]) {
          const before = store.getState()
          const payload = { ...VALID_PAYLOADS[event](), [field]: deep }
          expect(() => socket.serverPush(event, payload), `${event}.${field}`).not.toThrow()
          expect(store.getState(), `${event}.${field}`).toBe(before)
          cases += 1
        }
      }
    }
    expect(rejected).toHaveLength(cases)
    expect(cases).toBeGreaterThan(100)
    store.close()
  })

  it('the item’s later events and its reconciliation still work', async () => {
    process.env.NODE_ENV = mode
    const { store, socket, rejected } = harness()
    socket.serverPush('invocation_started', started({ itemId: 1 }, 'p', 'n'))
    socket.serverPush('invocation_complete', {
      ...complete({ itemId: 1 }, 'p', 'n', imageResult('after.png')),
      result: { type: 'image_output', image: deeplyNestedObject(DEPTH) },
    })
    expect(rejected).toEqual(['invocation_complete'])
    socket.serverPush('invocation_complete', complete({ itemId: 1 }, 'p', 'n', imageResult('after.png')))
    socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 1 }, 'completed', 2))
    await settled(store)
    expect(selectQueueItemExecution(store.getState(), 1)).toMatchObject({
      status: 'completed',
      settled: true,
    })
    expect(selectNodeExecutionState(store.getState(), 1, 'n')).toMatchObject({
      status: 'COMPLETED',
      outputs: [imageResult('after.png')],
    })
    store.close()
  })
})

describe('a persisted item nested too deep', () => {
  it('is a malformed answer: retried, then given up visibly, and the item keeps what the socket said', async () => {
    const deep = {
      ...persistedItem({ itemId: 1 }, 'completed', 2, [
        { preparedId: 'p', sourceId: 'n', result: imageResult('a.png') },
      ]),
      workflow: deeplyNestedObject(DEPTH),
    }
    const store = createExecutionStore({
      devTools: false,
      fetchQueueItem: async () => deep,
      retries: 1,
      backoffMs: 1,
    })
    const socket = createMockSocket()
    store.bindSocket(socket)
    socket.connect()
    socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1))
    socket.serverPush('invocation_complete', complete({ itemId: 1 }, 'p', 'n', imageResult('a.png')))
    socket.serverPush('queue_item_status_changed', statusChanged({ itemId: 1 }, 'completed', 2))
    await settled(store)
    const item = selectQueueItemExecution(store.getState(), 1)
    expect(item?.reconciliation).toMatchObject({ phase: 'gave_up' })
    expect(item?.reconciliation.lastError).toContain(`nested deeper than ${MAX_PAYLOAD_DEPTH} levels`)
    expect(selectNodeExecutionState(store.getState(), 1, 'n')?.status).toBe('COMPLETED')
    store.close()
  })
})
