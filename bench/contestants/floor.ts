import { configureStore, type UnknownAction } from '@reduxjs/toolkit'
import type { InvocationOutput, NodeStatus, ProgressImage, QueueStatus, SessionQueueItem } from '../../src'
import { now } from '../clock'
import type { WireEvent } from '../wire'
import { persistedResults } from './snapshot'
import type { Contestant, ItemSummary, ReconcileTiming } from './types'

export interface FloorNode {
  status: NodeStatus
  progress: number | null
  progressImage: ProgressImage | null
  outputs: readonly InvocationOutput[]
}

export interface FloorItem {
  status: QueueStatus | null
  nodes: Readonly<Record<string, FloorNode>>
  orphans: readonly InvocationOutput[]
  delivered: Readonly<Record<string, true>>
}

export interface FloorState {
  items: Readonly<Record<number, FloorItem>>
}

const EVENT = 'floor/event'
const SNAPSHOT = 'floor/snapshot'
const DELIVERED = 'floor/delivered'

const EMPTY_ITEM: FloorItem = { status: null, nodes: {}, orphans: [], delivered: {} }
const PENDING: FloorNode = { status: 'PENDING', progress: null, progressImage: null, outputs: [] }

function withItem(state: FloorState, itemId: number, item: FloorItem): FloorState {
  return { items: { ...state.items, [itemId]: item } }
}

function withNode(state: FloorState, itemId: number, nodeId: string, next: (node: FloorNode) => FloorNode) {
  const item = state.items[itemId] ?? EMPTY_ITEM
  const node = item.nodes[nodeId] ?? PENDING
  return withItem(state, itemId, { ...item, nodes: { ...item.nodes, [nodeId]: next(node) } })
}

/** The minimal immutable update each event needs: no validation, no rule table, no bookkeeping. */
function applyEvent(state: FloorState, event: WireEvent): FloorState {
  switch (event.name) {
    case 'queue_item_status_changed': {
      const { item_id: itemId, status } = event.payload
      return withItem(state, itemId, { ...(state.items[itemId] ?? EMPTY_ITEM), status })
    }
    case 'invocation_started': {
      const { item_id: itemId, invocation_source_id: nodeId } = event.payload
      return withNode(state, itemId, nodeId, (node) => ({ ...node, status: 'IN_PROGRESS', progress: null }))
    }
    case 'invocation_progress': {
      const { item_id: itemId, invocation_source_id: nodeId, percentage, image } = event.payload
      return withNode(state, itemId, nodeId, (node) => ({
        ...node,
        status: 'IN_PROGRESS',
        progress: percentage,
        progressImage: image ?? node.progressImage,
      }))
    }
    case 'invocation_complete': {
      const { item_id: itemId, invocation_source_id: nodeId, result } = event.payload
      return withNode(state, itemId, nodeId, (node) => ({
        ...node,
        status: 'COMPLETED',
        progress: node.progress === null ? null : 1,
        outputs: [...node.outputs, result],
      }))
    }
  }
}

/** The persisted word in one pass: nodes rebuilt from the results, unattributed ones kept as orphans. */
function applySnapshot(state: FloorState, snapshot: SessionQueueItem): FloorState {
  const item = state.items[snapshot.item_id] ?? EMPTY_ITEM
  const outputs = new Map<string, InvocationOutput[]>()
  const orphans = [...item.orphans]
  for (const { sourceId, output } of persistedResults(snapshot)) {
    if (sourceId === null) {
      orphans.push(output)
      continue
    }
    const list = outputs.get(sourceId)
    if (list) list.push(output)
    else outputs.set(sourceId, [output])
  }
  const nodes = { ...item.nodes }
  for (const [nodeId, list] of outputs) {
    nodes[nodeId] = { ...(nodes[nodeId] ?? PENDING), status: 'COMPLETED', progress: null, outputs: list }
  }
  return withItem(state, snapshot.item_id, { ...item, status: snapshot.status, nodes, orphans })
}

function floorReducer(state: FloorState = { items: {} }, action: UnknownAction): FloorState {
  switch (action.type) {
    case EVENT:
      return applyEvent(state, action.payload as WireEvent)
    case SNAPSHOT:
      return applySnapshot(state, action.payload as SessionQueueItem)
    case DELIVERED: {
      const { itemId, preparedId } = action.payload as { itemId: number; preparedId: string }
      const item = state.items[itemId] ?? EMPTY_ITEM
      return withItem(state, itemId, { ...item, delivered: { ...item.delivered, [preparedId]: true } })
    }
    default:
      return state
  }
}

export function createFloorStore() {
  return configureStore({
    reducer: floorReducer,
    devTools: false,
    middleware: (getDefaultMiddleware) =>
      getDefaultMiddleware({ immutableCheck: false, serializableCheck: false }),
  })
}

export type FloorStore = ReturnType<typeof createFloorStore>

export interface FloorContestant extends Contestant {
  readonly store: FloorStore
}

/** The yardstick: a hand-written immutable update per event through RTK's `configureStore`. */
export function createFloorContestant(): FloorContestant {
  const store = createFloorStore()
  return {
    name: 'floor',
    store,
    feed(events, from = 0, to = events.length) {
      for (let i = from; i < to; i += 1) store.dispatch({ type: EVENT, payload: events[i] })
    },
    async reconcile(snapshot, watcher = {}): Promise<ReconcileTiming> {
      const start = now()
      store.dispatch({ type: SNAPSHOT, payload: snapshot })
      const applied = now()
      watcher.onApplied?.(applied - start)
      const itemId = snapshot.item_id
      let delivered = 0
      for (const { preparedId } of persistedResults(snapshot)) {
        store.dispatch({ type: DELIVERED, payload: { itemId, preparedId } })
        delivered += 1
        watcher.onDelivered?.(delivered, now() - start)
      }
      return { appliedMs: applied - start, totalMs: now() - start, delivered }
    },
    summary(itemId): ItemSummary | undefined {
      const item = store.getState().items[itemId]
      if (!item) return undefined
      const nodes: ItemSummary['nodes'] = {}
      for (const [nodeId, node] of Object.entries(item.nodes)) {
        nodes[nodeId] = { status: node.status, progress: node.progress, outputs: node.outputs.length }
      }
      return { status: item.status, nodes, orphans: item.orphans.length }
    },
    itemCount: () => Object.keys(store.getState().items).length,
    record: (itemId) => store.getState().items[itemId],
    close: () => undefined,
  }
}
