import { io, type Socket } from 'socket.io-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createExecutionStore, selectNodeExecutionState, type SessionQueueItem } from '../src'
import { startSimulator, type Simulator } from '../sim'
import { stripNulls } from './helpers/wire'
import { itemOf, itemsOf } from '../src/features/workflowExecution'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('a real socket.io server on loopback', () => {
  it('after a dropped connection the client subscribes again and resyncs what it missed over REST', async () => {
    const sim: Simulator = await startSimulator({ stepDelayMs: 25 })
    cleanups.push(() => sim.close())
    const store = createExecutionStore({ baseUrl: sim.url, devTools: false })
    const socket: Socket = io(sim.url, {
      path: '/ws/socket.io',
      transports: ['websocket'],
      // The test reconnects by hand once the run has ended, so the run surely ends while the client is away
      // (socket.io-client's own reconnect goes through the same 'connect' event).
      reconnection: false,
    })
    const emitted: unknown[][] = []
    const emit = socket.emit.bind(socket)
    socket.emit = ((...args: Parameters<Socket['emit']>) => {
      emitted.push(args)
      return emit(...args)
    }) as Socket['emit']
    const reconciliations: number[] = []
    store.startListening({
      actionCreator: store.execution.reconcileQueueItem.pending,
      effect: (action) => void reconciliations.push(action.meta.arg.itemId),
    })
    const unbind = store.bindSocket(socket)
    cleanups.push(() => {
      unbind()
      socket.close()
    })
    await until(() => store.getState().workflowExecution.connected)

    // Drop the transport the moment the run is seen running: what the server sends meanwhile is lost.
    const dropped = new Promise<void>((resolve) => {
      const unsubscribe = store.subscribe(() => {
        const item = itemsOf(store.getState().workflowExecution.items)[0]
        if (item?.status !== 'in_progress') return
        unsubscribe()
        sim.disconnectClients()
        resolve()
      })
    })
    const { item_ids } = sim.enqueueScenario('fanout', { params: { count: 3, steps: 6 } })
    const itemId = item_ids[0] as number
    await dropped
    const before = emitted.filter(([event]) => event === 'subscribe_queue').length
    await until(() => !store.getState().workflowExecution.connected)
    const persisted = (await sim.whenSettled(itemId)) as SessionQueueItem | undefined
    expect(itemOf(store.getState().workflowExecution.items, itemId)?.status).toBe('in_progress')
    socket.connect()
    await until(() => itemOf(store.getState().workflowExecution.items, itemId)?.settled === true)
    const subscribes = emitted.filter(([event]) => event === 'subscribe_queue').length

    expect(before).toBe(1)
    expect(subscribes).toBe(2)
    // The terminal status was never received: the resync after the reconnect is what settled the item.
    expect(reconciliations.filter((id) => id === itemId)).toHaveLength(1)
    expect(emitted.at(-1)).toEqual(['subscribe_queue', { queue_id: 'default' }])
    const item = itemOf(store.getState().workflowExecution.items, itemId)
    expect(item?.status).toBe(persisted?.status)
    for (const [sourceId, preparedIds] of Object.entries(persisted?.session.source_prepared_mapping ?? {})) {
      const node = selectNodeExecutionState(store.getState(), itemId, sourceId)
      expect(node?.status).toBe('COMPLETED')
      const expected = preparedIds.map((id) => persisted?.session.results?.[id]).filter(Boolean)
      expect(stripNulls(node?.outputs ?? [])).toEqual(expect.arrayContaining(expected))
      expect(node?.outputs).toHaveLength(expected.length)
    }
  })
})
