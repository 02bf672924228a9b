import { io, type Socket } from 'socket.io-client'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createExecutionStore,
  invocationOutputReceived,
  invocationStarted,
  selectNodeExecutionState,
  selectRecentDecisions,
  type InvocationOutputReceivedPayload,
  type SessionQueueItem,
} from '../../src'
import { startSimulator, type Simulator } from '../../sim'
import { stripNulls } from '../helpers/wire'
import { until } from './support'
import { itemOf } from '../../src/features/workflowExecution'

/*
 * A real socket.io server on loopback, restarted: no msw in this file (it would intercept node's http).
 */

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

async function simulator(port: number): Promise<Simulator> {
  const sim = await startSimulator({ port, stepDelayMs: 10 })
  cleanups.push(() => sim.close())
  return sim
}

describe('a server restart that loses every room and the whole queue', () => {
  it('the client subscribes again, a run on the new server is applied from its events, and the run the old server was doing settles as gone', async () => {
    const old = await simulator(0)
    // Use up ids 1-5 before the client connects, so the new server's first ids are ids it never saw.
    old.enqueueScenario('simple', { runs: 5 })
    await old.whenIdle()

    const store = createExecutionStore({ baseUrl: old.url, devTools: false, canceledReconcileDelayMs: 50 })
    const socket: Socket = io(old.url, {
      path: '/ws/socket.io',
      transports: ['websocket'],
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
      randomizationFactor: 0,
    })
    const subscribes: unknown[] = []
    const emit = socket.emit.bind(socket)
    socket.emit = ((...args: Parameters<Socket['emit']>) => {
      if (args[0] === 'subscribe_queue') subscribes.push(args[1])
      return emit(...args)
    }) as Socket['emit']
    const outputs: InvocationOutputReceivedPayload[] = []
    const reconciled: number[] = []
    const startedItems: number[] = []
    store.startListening({
      actionCreator: invocationOutputReceived,
      effect: (action) => void outputs.push(action.payload),
    })
    store.startListening({
      actionCreator: store.execution.reconcileQueueItem.pending,
      effect: (action) => void reconciled.push(action.meta.arg.itemId),
    })
    store.startListening({
      actionCreator: invocationStarted,
      effect: (action) => void startedItems.push(action.payload.item_id),
    })
    const unbind = store.bindSocket(socket)
    cleanups.push(() => {
      unbind()
      socket.close()
    })
    const state = () => store.getState().workflowExecution
    await until(() => state().connected, 10_000, 'the first connection')

    // Item 6 runs to the end on the old server; item 7 is cut off in the middle by the restart.
    const [finished] = old.enqueueScenario('simple').item_ids as [number]
    const finishedPersisted = (await old.whenSettled(finished)) as SessionQueueItem
    await until(() => itemOf(state().items, finished)?.reconciliation.phase === 'done', 10_000, 'item 6')
    const [interrupted] = old.enqueueScenario('long', { params: { steps: 500 } }).item_ids as [number]
    const denoise = denoiseNodeOf(old, interrupted)
    await until(
      () => (selectNodeExecutionState(store.getState(), interrupted, denoise)?.progress ?? null) !== null,
      10_000,
      'item 7 denoising',
    )
    expect(selectNodeExecutionState(store.getState(), interrupted, denoise)?.status).toBe('IN_PROGRESS')
    expect([finished, interrupted]).toEqual([6, 7])
    expect(subscribes).toHaveLength(1)

    const port = old.port
    await old.close()
    await until(() => !state().connected, 10_000, 'the disconnect')
    const fresh = await simulator(port)

    await until(() => state().connected, 10_000, 'the reconnection')
    // The new server has no room with this client in it until the client asks again.
    expect(subscribes).toEqual([{ queue_id: 'default' }, { queue_id: 'default' }])
    await until(() => itemOf(state().items, interrupted)?.settled === true, 10_000, 'item 7 settled')
    expect(itemOf(state().items, interrupted)).toMatchObject({
      status: 'canceled',
      settled: true,
      reconciliation: { phase: 'done', snapshotStatus: 'gone' },
    })
    expect(selectRecentDecisions(store.getState(), interrupted).at(-1)).toEqual({
      rule: 'R3',
      event: 'snapshot:gone',
      applied: true,
    })
    expect(selectNodeExecutionState(store.getState(), interrupted, denoise)?.status).toBe('CANCELED')
    // Item 6 had settled on the old server's word: the restart does not ask about it again.
    expect(reconciled.filter((id) => id === finished)).toHaveLength(1)
    expect(itemOf(state().items, finished)).toMatchObject({ status: 'completed', settled: true })

    // A run on the new server: its first id is one the client has never seen.
    const [rerun] = fresh.enqueueScenario('fanout', { params: { count: 2, steps: 3 } }).item_ids as [number]
    expect(rerun).toBe(1)
    const rerunPersisted = (await fresh.whenSettled(rerun)) as SessionQueueItem
    await until(() => itemOf(state().items, rerun)?.settled === true, 10_000, 'the new run settled')

    expect(startedItems.filter((id) => id === rerun).length).toBeGreaterThan(0)
    expect(itemOf(state().items, rerun)).toMatchObject({
      status: 'completed',
      statusSequence: rerunPersisted.status_sequence,
      reconciliation: { phase: 'done', snapshotStatus: 'completed' },
    })
    const mapping = rerunPersisted.session.source_prepared_mapping ?? {}
    expect(Object.keys(mapping).length).toBeGreaterThan(0)
    for (const [sourceId, preparedIds] of Object.entries(mapping)) {
      const node = selectNodeExecutionState(store.getState(), rerun, sourceId)
      const expected = preparedIds.map((id) => rerunPersisted.session.results?.[id]).filter(Boolean)
      expect(node?.status, sourceId).toBe('COMPLETED')
      expect(stripNulls(node?.outputs ?? [])).toEqual(expect.arrayContaining(expected))
      expect(node?.outputs).toHaveLength(expected.length)
    }
    // Every persisted output of both finished runs reached the host once, the new run's over the socket.
    const rerunOutputs = outputs.filter((output) => output.itemId === rerun)
    expect(rerunOutputs.map((output) => output.preparedId).sort()).toEqual(
      Object.keys(rerunPersisted.session.results ?? {}).sort(),
    )
    expect(rerunOutputs.every((output) => output.via === 'socket')).toBe(true)
    expect(
      outputs
        .filter((output) => output.itemId === finished)
        .map((output) => output.preparedId)
        .sort(),
    ).toEqual(Object.keys(finishedPersisted.session.results ?? {}).sort())
  }, 60_000)
})

describe('a restart with a wiped database under a connected client', () => {
  it("an unsettled workflows item 2 is not reconciled against the new server's canvas item 2: the new run replaces it (R6, N2), nothing of one run is announced as the other's", async () => {
    const sim = await startSimulator({ port: 0, stepDelayMs: 10, features: { snapshotEndpoints: true } })
    cleanups.push(() => sim.close())
    const store = createExecutionStore({ baseUrl: sim.url, devTools: false, canceledReconcileDelayMs: 50 })
    const socket: Socket = io(sim.url, {
      path: '/ws/socket.io',
      transports: ['websocket'],
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
      randomizationFactor: 0,
    })
    const outputs: InvocationOutputReceivedPayload[] = []
    store.startListening({
      actionCreator: invocationOutputReceived,
      effect: (action) => void outputs.push(action.payload),
    })
    const unbind = store.bindSocket(socket)
    cleanups.push(() => {
      unbind()
      socket.close()
    })
    const state = () => store.getState().workflowExecution
    await until(() => state().connected, 10_000, 'the first connection')

    const [first] = sim.enqueueScenario('simple', { origin: 'workflows' }).item_ids as [number]
    await sim.whenSettled(first)
    const [second] = sim.enqueueScenario('long', { origin: 'workflows', params: { steps: 500 } })
      .item_ids as [number]
    expect([first, second]).toEqual([1, 2])
    const denoise = denoiseNodeOf(sim, second)
    await until(
      () => (selectNodeExecutionState(store.getState(), second, denoise)?.progress ?? null) !== null,
      10_000,
      'item 2 denoising',
    )
    const oldSession = itemOf(state().items, second)?.sessionId

    // Wiped and back: two canvas runs take ids 1 and 2 before the client is back.
    await sim.restart()
    const ids = sim.enqueueScenario('simple', { origin: 'canvas', destination: 'canvas', runs: 2 }).item_ids
    expect(ids).toEqual([1, 2])
    const persisted = (await Promise.all(ids.map((id) => sim.whenSettled(id)))) as SessionQueueItem[]
    await until(() => state().connected, 10_000, 'the reconnection')
    await until(
      () => ids.every((id) => itemOf(state().items, id)?.sessionId === persisted[id - 1]?.session_id),
      10_000,
      'both ids hold the new runs',
    )
    await until(() => store.execution.inFlightCount() === 0, 10_000, 'requests done')
    for (const run of persisted) {
      const item = itemOf(state().items, run.item_id)
      expect(item).toMatchObject({ status: 'completed', origin: 'canvas', settled: true })
      expect(item?.sessionId).not.toBe(oldSession)
      const sources = Object.keys(run.session.source_prepared_mapping ?? {}).sort()
      expect(sources.length).toBeGreaterThan(0)
      // The old run's denoise node is gone with it.
      expect(selectNodeExecutionState(store.getState(), run.item_id, denoise)).toBeUndefined()
      for (const sourceId of sources)
        expect(selectNodeExecutionState(store.getState(), run.item_id, sourceId)?.status).toBe('COMPLETED')
    }
    // Outputs of the new runs arrive once each, as canvas outputs; none of the old run 2's is among them.
    const newOutputs = outputs.filter((output) => output.origin === 'canvas')
    expect(newOutputs.map((output) => `${output.itemId}/${output.preparedId}`).sort()).toEqual(
      persisted
        .flatMap((run) => Object.keys(run.session.results ?? {}).map((id) => `${run.item_id}/${id}`))
        .sort(),
    )
    const keys = outputs.map((output) => `${output.itemId}/${output.preparedId}`)
    expect(new Set(keys).size).toBe(keys.length)
  }, 60_000)
})

/** The id of the `denoise` source node of an item the simulator runs. */
function denoiseNodeOf(sim: Simulator, itemId: number): string {
  const item = sim.getQueueItem(itemId) as SessionQueueItem | undefined
  const graph = (item?.session as { graph?: { nodes?: Record<string, { type: string }> } } | undefined)?.graph
  const id = Object.entries(graph?.nodes ?? {}).find(([, node]) => node.type === 'denoise')?.[0]
  if (id === undefined) throw new Error(`item ${itemId} has no denoise node`)
  return id
}
