import { QUEUE_STATUSES, type NodeStatus, type QueueStatus } from '../../../src'

/*
 * What a UI without the engine does with the socket: every event is trusted, in arrival order, and sets
 * state directly. No sequence, no terminal check, no reconciliation, no dedupe. Validation goes only as far
 * as not crashing on a payload of the wrong shape. The page runs it beside the engine to show the difference.
 */

export interface NaiveNode {
  status: NodeStatus
  progress: number | null
}

export interface NaiveItem {
  itemId: number
  status: QueueStatus | null
  /** By source node id (`invocation_source_id`): what the workflow editor shows. */
  nodes: Readonly<Record<string, NaiveNode>>
}

export interface NaiveImage {
  itemId: number
  imageName: string
  /** Arrival order: a stable key, since the same image can be shown twice. */
  seq: number
}

export interface NaiveLimits {
  /** Items kept (the oldest first seen is dropped): the same bound as the engine's page. */
  maxItems: number
  /** Gallery images kept, newest first. */
  maxImages: number
}

export interface NaiveState {
  limits: NaiveLimits
  /** By item id; `order` is first-seen order, oldest first. */
  items: Readonly<Record<number, NaiveItem>>
  order: readonly number[]
  /** Newest first. */
  gallery: readonly NaiveImage[]
  /** The item of the latest event: a naive UI's "current run". */
  currentItemId: number | null
  events: number
}

export interface NaiveEvent {
  event: string
  payload: unknown
}

export function createNaiveState(limits: NaiveLimits): NaiveState {
  return { limits, items: {}, order: [], gallery: [], currentItemId: null, events: 0 }
}

/** The wire's statuses: the naive client takes any of them as said, and ignores other strings. */
const KNOWN_STATUSES: readonly string[] = QUEUE_STATUSES

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null

const field = (value: unknown, key: string): unknown => (isRecord(value) ? value[key] : undefined)

function itemIdOf(payload: unknown): number | null {
  const id = field(payload, 'item_id')
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null
}

function imageNameOf(result: unknown): string | null {
  if (field(result, 'type') !== 'image_output') return null
  const name = field(field(result, 'image'), 'image_name')
  return typeof name === 'string' && name !== '' ? name : null
}

const NODE_STATUS_OF: Readonly<Record<string, NodeStatus>> = {
  invocation_started: 'IN_PROGRESS',
  invocation_progress: 'IN_PROGRESS',
  invocation_complete: 'COMPLETED',
  invocation_error: 'FAILED',
}

function nodeOf(event: string, payload: unknown): [string, NaiveNode] | null {
  const status = NODE_STATUS_OF[event]
  const nodeId = field(payload, 'invocation_source_id')
  if (status === undefined || typeof nodeId !== 'string') return null
  const percentage = field(payload, 'percentage')
  return [nodeId, { status, progress: typeof percentage === 'number' ? percentage : null }]
}

/** The item as this event leaves it, or null when the event says nothing a naive UI reads. */
function changedItem(item: NaiveItem, event: string, payload: unknown): NaiveItem | null {
  if (event === 'queue_item_status_changed') {
    const status = field(payload, 'status')
    return typeof status === 'string' && KNOWN_STATUSES.includes(status)
      ? { ...item, status: status as QueueStatus }
      : null
  }
  const node = nodeOf(event, payload)
  return node ? { ...item, nodes: { ...item.nodes, [node[0]]: node[1] } } : null
}

function withItem(state: NaiveState, item: NaiveItem): Pick<NaiveState, 'items' | 'order'> {
  if (Object.hasOwn(state.items, item.itemId)) {
    return { items: { ...state.items, [item.itemId]: item }, order: state.order }
  }
  const order = [...state.order, item.itemId]
  const items = { ...state.items, [item.itemId]: item }
  // Bounded like the engine's page: the oldest item first seen goes.
  while (order.length > state.limits.maxItems) delete items[order.shift() as number]
  return { items, order }
}

/** What one event does to the naive view: the item as it leaves it, and the image it adds (if any). */
export interface NaiveStep {
  itemId: number
  item: NaiveItem
  imageName: string | null
}

/**
 * The step one event makes, given the item it names as held now (`held(itemId)`), or null when the event
 * says nothing a naive UI reads. Shared by the pure reducer and the bounded store (naiveStore.ts).
 */
export function naiveStep(
  held: (itemId: number) => NaiveItem | undefined,
  { event, payload }: NaiveEvent,
): NaiveStep | null {
  const itemId = itemIdOf(payload)
  if (itemId === null) return null
  const item = held(itemId) ?? { itemId, status: null, nodes: {} }
  const changed = changedItem(item, event, payload)
  if (changed === null) return null
  const imageName = event === 'invocation_complete' ? imageNameOf(field(payload, 'result')) : null
  return { itemId, item: changed, imageName }
}

/** The pure reference: every event copies the items. The page runs the bounded store instead. */
export function naiveReducer(state: NaiveState, event: NaiveEvent): NaiveState {
  const step = naiveStep((itemId) => state.items[itemId], event)
  if (step === null) return state
  const { itemId, imageName } = step
  const events = state.events + 1
  const gallery =
    imageName === null
      ? state.gallery
      : [{ itemId, imageName, seq: events }, ...state.gallery.slice(0, state.limits.maxImages - 1)]
  return { ...state, ...withItem(state, step.item), gallery, currentItemId: itemId, events }
}
