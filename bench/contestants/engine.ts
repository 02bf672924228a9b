import {
  createExecutionStore,
  invocationOutputReceived,
  selectNodeExecutionState,
  selectNodeIds,
  selectQueueItemExecution,
  selectQueueItemIds,
  type ExecutionStore,
  type SessionQueueItem,
} from '../../src'
import { createMockSocket, type MockSocket } from '../../src/testing'
import { macrotask, now } from '../clock'
import type { WireEvent } from '../wire'
import type { Contestant, ContestantOptions, ItemSummary, ReconcileTiming, ReconcileWatcher } from './types'

export interface EngineContestant extends Contestant {
  readonly store: ExecutionStore
  readonly socket: MockSocket
}

/**
 * The full path a host gets: the payload goes into a socket bound to the ready store, so validation,
 * the rule table, the reducer and the listeners all run. Production settings: no DevTools, no RTK dev
 * checks, no automatic reconciliation (the reconciliation stream asks for it itself).
 */
export function createEngineContestant(options: ContestantOptions = {}): EngineContestant {
  // The fetcher answers at once with whatever the reconciliation stream put here.
  const served: { snapshot: SessionQueueItem | null } = { snapshot: null }
  const store = createExecutionStore({
    devTools: false,
    devChecks: false,
    reconcileOrigins: [],
    fetchQueueItem: async () => served.snapshot,
    ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
  })
  const socket = createMockSocket()
  store.bindSocket(socket)
  socket.connect()

  async function reconcile(
    snapshot: SessionQueueItem,
    watcher: ReconcileWatcher = {},
  ): Promise<ReconcileTiming> {
    served.snapshot = snapshot
    const itemId = snapshot.item_id
    const marks = { start: 0, applied: 0, last: 0, delivered: 0 }
    const stopCounting = store.startListening({
      actionCreator: invocationOutputReceived,
      effect: (action) => {
        if (action.payload.itemId !== itemId) return
        marks.delivered += 1
        marks.last = now()
        watcher.onDelivered?.(marks.delivered, marks.last - marks.start)
      },
    })
    // A store subscriber runs right after the reducer, before any listener's deliveries.
    const unsubscribe = store.subscribe(() => {
      if (selectQueueItemExecution(store.getState(), itemId)?.reconciliation.phase !== 'done') return
      marks.applied = now()
      unsubscribe()
      watcher.onApplied?.(marks.applied - marks.start)
    })
    marks.start = now()
    const result = await store.dispatch(store.execution.reconcileQueueItem({ itemId }))
    const settled = now()
    // Deliveries a listener might defer past the thunk's own promise still count.
    await macrotask()
    unsubscribe()
    stopCounting()
    if (marks.applied === 0) throw new Error(`engine: reconciliation of item ${itemId} ended ${result.type}`)
    return {
      appliedMs: marks.applied - marks.start,
      totalMs: Math.max(marks.last, settled) - marks.start,
      delivered: marks.delivered,
    }
  }

  return {
    name: 'engine',
    store,
    socket,
    feed(events, from = 0, to = events.length) {
      for (let i = from; i < to; i += 1) {
        const event = events[i] as WireEvent
        socket.serverPush(event.name, event.payload)
      }
    },
    reconcile,
    summary(itemId): ItemSummary | undefined {
      const state = store.getState()
      const item = selectQueueItemExecution(state, itemId)
      if (!item) return undefined
      // Nodes through the selectors: the stored record is the engine's business, the view is the contract.
      const nodes: ItemSummary['nodes'] = {}
      for (const nodeId of selectNodeIds(state, itemId)) {
        const node = selectNodeExecutionState(state, itemId, nodeId)
        if (node)
          nodes[nodeId] = { status: node.status, progress: node.progress, outputs: node.outputs.length }
      }
      return { status: item.status, nodes, orphans: item.orphanOutputs.length }
    },
    itemCount: () => selectQueueItemIds(store.getState()).length,
    record: (itemId) => selectQueueItemExecution(store.getState(), itemId),
    close: () => store.close(),
  }
}
