import {
  selectNodeExecutionState,
  selectNodeIds,
  selectQueueItemExecution,
  selectQueueItemIds,
  type NodeStatus,
  type WithWorkflowExecution,
} from '../../../src'
import type { NaiveState } from './naiveClient'

/*
 * The naive client against the engine, on settled facts only: an item is compared once the engine has
 * settled it (terminal and reconciled with the server), since while it runs both views legitimately lag.
 */

export const DIFFERENCE_KINDS = [
  'stuck_in_progress',
  'node_status',
  'item_status',
  'image_missing',
  'image_duplicate',
  'image_extra',
  'stale_current',
] as const

export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number]

export interface Difference {
  kind: DifferenceKind
  itemId: number
  nodeId?: string
  /** How many facts this entry stands for (e.g. 2 extra copies of one image). */
  count: number
  detail: string
}

export interface EngineGalleryImage {
  itemId: number
  imageName: string
  via?: string
}

export interface CompareInput {
  naive: NaiveState
  engine: WithWorkflowExecution
  engineGallery: readonly EngineGalleryImage[]
  /** The engine's current run (selectActiveItemId). */
  engineActiveItemId: number | undefined
}

export interface SideCounts {
  /** Gallery images learned since the page loaded (the engine's from hydration left out). */
  images: number
  nodesInProgress: number
  currentItemId: number | null
}

export interface Comparison {
  differences: Difference[]
  totals: Record<DifferenceKind, number>
  total: number
  /** Items compared (settled in the engine), and items skipped because they still run. */
  compared: number
  running: number
  naive: SideCounts
  engine: SideCounts
}

const TERMINAL_NODE: ReadonlySet<NodeStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELED'])

function countBy<T>(values: readonly T[], key: (value: T) => string): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(key(value), (counts.get(key(value)) ?? 0) + 1)
  return counts
}

function imagesByItem(images: readonly { itemId: number; imageName: string }[]) {
  const byItem = new Map<number, string[]>()
  for (const { itemId, imageName } of images) {
    const names = byItem.get(itemId)
    if (names) names.push(imageName)
    else byItem.set(itemId, [imageName])
  }
  return byItem
}

function nodeDifferences(input: CompareInput, itemId: number): Difference[] {
  const naiveNodes = input.naive.items[itemId]?.nodes ?? {}
  return selectNodeIds(input.engine, itemId).flatMap((nodeId): Difference[] => {
    const engine = selectNodeExecutionState(input.engine, itemId, nodeId)?.status ?? 'PENDING'
    const naive = naiveNodes[nodeId]?.status ?? 'PENDING'
    if (engine === naive) return []
    const kind = naive === 'IN_PROGRESS' && TERMINAL_NODE.has(engine) ? 'stuck_in_progress' : 'node_status'
    return [{ kind, itemId, nodeId, count: 1, detail: `naive ${naive}, engine ${engine}` }]
  })
}

function imageDifferences(itemId: number, naive: readonly string[], engine: readonly string[]): Difference[] {
  const naiveCounts = countBy(naive, (name) => name)
  const engineNames = new Set(engine)
  const out: Difference[] = []
  const missing = [...engineNames].filter((name) => !naiveCounts.has(name))
  if (missing.length > 0) {
    out.push({ kind: 'image_missing', itemId, count: missing.length, detail: missing.join(', ') })
  }
  for (const [name, count] of naiveCounts) {
    if (count > 1)
      out.push({ kind: 'image_duplicate', itemId, count: count - 1, detail: `${name} ×${count}` })
    if (!engineNames.has(name)) out.push({ kind: 'image_extra', itemId, count: 1, detail: name })
  }
  return out
}

function itemDifferences(input: CompareInput, itemId: number, naiveImages: string[], engineImages: string[]) {
  const engineStatus = selectQueueItemExecution(input.engine, itemId)?.status ?? null
  const naiveStatus = input.naive.items[itemId]?.status ?? null
  const status: Difference[] =
    engineStatus === naiveStatus
      ? []
      : [{ kind: 'item_status', itemId, count: 1, detail: `naive ${naiveStatus}, engine ${engineStatus}` }]
  return [
    ...status,
    ...nodeDifferences(input, itemId),
    ...imageDifferences(itemId, naiveImages, engineImages),
  ]
}

/**
 * What a comparison remembers for the next one (createNaiveComparer): each settled item's differences with
 * what they were computed from, and each item's count of running nodes by the item's own object (both the
 * naive item and the engine's execution are replaced, never mutated, when they change).
 */
interface CompareMemo {
  items: Map<number, { engine: unknown; naive: unknown; images: string; differences: Difference[] }>
  running: WeakMap<object, number>
}

const runningNodes = (statuses: (NodeStatus | undefined)[]) =>
  statuses.filter((s) => s === 'IN_PROGRESS').length

function remembered<K extends object>(memo: CompareMemo | null, key: K, count: (key: K) => number) {
  const known = memo?.running.get(key)
  if (known !== undefined) return known
  const counted = count(key)
  memo?.running.set(key, counted)
  return counted
}

/** Nodes each side shows running now, over every item it holds. */
function nodesInProgress({ naive, engine }: CompareInput, memo: CompareMemo | null) {
  const naiveCount = (item: NaiveState['items'][number]) =>
    runningNodes(Object.values(item.nodes).map((node) => node.status))
  const engineCount = (itemId: number) =>
    runningNodes(
      selectNodeIds(engine, itemId).map((id) => selectNodeExecutionState(engine, itemId, id)?.status),
    )
  return {
    naive: Object.values(naive.items).reduce((sum, item) => sum + remembered(memo, item, naiveCount), 0),
    engine: selectQueueItemIds(engine).reduce((sum, itemId) => {
      const execution = selectQueueItemExecution(engine, itemId)
      return sum + (execution ? remembered(memo, execution, () => engineCount(itemId)) : engineCount(itemId))
    }, 0),
  }
}

function staleCurrent({ naive, engineActiveItemId }: CompareInput): Difference[] {
  const current = naive.currentItemId
  // Item ids only grow: a smaller id is an older run.
  if (current === null || engineActiveItemId === undefined || current >= engineActiveItemId) return []
  return [
    {
      kind: 'stale_current',
      itemId: current,
      count: 1,
      detail: `naive shows #${current}, engine #${engineActiveItemId}`,
    },
  ]
}

/** The differences of one settled item, recomputed only when the item or its images changed. */
function settledDifferences(
  input: CompareInput,
  memo: CompareMemo | null,
  next: CompareMemo['items'],
  itemId: number,
  naiveImages: string[],
  engineImages: string[],
): Difference[] {
  if (memo === null) return itemDifferences(input, itemId, naiveImages, engineImages)
  const engine = selectQueueItemExecution(input.engine, itemId)
  const naive = input.naive.items[itemId]
  const images = `${naiveImages.join('\n')}\u0000${engineImages.join('\n')}`
  const known = memo.items.get(itemId)
  const differences =
    known && known.engine === engine && known.naive === naive && known.images === images
      ? known.differences
      : itemDifferences(input, itemId, naiveImages, engineImages)
  next.set(itemId, { engine, naive, images, differences })
  return differences
}

/** The comparison, from scratch. */
export function compareNaiveWithEngine(input: CompareInput): Comparison {
  return compareWith(input, null)
}

/**
 * A comparison that remembers: each call recomputes only the settled items that changed since the last
 * one (and counts running nodes only of items that changed). The panel keeps one and calls it per render,
 * which is at most once per animation frame, however many events the frame brought.
 */
export function createNaiveComparer(): (input: CompareInput) => Comparison {
  const memo: CompareMemo = { items: new Map(), running: new WeakMap() }
  return (input) => compareWith(input, memo)
}

function compareWith(input: CompareInput, memo: CompareMemo | null): Comparison {
  const naiveImages = imagesByItem(input.naive.gallery)
  // Outputs learned by hydration came before the naive client was listening: not its to miss.
  const sincePageLoad = input.engineGallery.filter((image) => image.via !== 'hydration')
  const engineImages = imagesByItem(sincePageLoad)
  const ids = [...new Set([...input.naive.order, ...engineImages.keys()])]
  const settled = ids.filter((id) => selectQueueItemExecution(input.engine, id)?.settled === true)
  const running = ids.filter((id) => selectQueueItemExecution(input.engine, id)?.settled === false).length
  // Only the items settled now are remembered: the memo stays as bounded as the items compared.
  const next: CompareMemo['items'] = new Map()
  const differences = [
    ...settled.flatMap((id) =>
      settledDifferences(input, memo, next, id, naiveImages.get(id) ?? [], engineImages.get(id) ?? []),
    ),
    ...staleCurrent(input),
  ]
  if (memo !== null) memo.items = next
  const totals = Object.fromEntries(DIFFERENCE_KINDS.map((kind) => [kind, 0])) as Record<
    DifferenceKind,
    number
  >
  for (const difference of differences) totals[difference.kind] += difference.count
  const inProgress = nodesInProgress(input, memo)
  return {
    differences,
    totals,
    total: differences.reduce((sum, difference) => sum + difference.count, 0),
    compared: settled.length,
    running,
    naive: {
      images: input.naive.gallery.length,
      nodesInProgress: inProgress.naive,
      currentItemId: input.naive.currentItemId,
    },
    engine: {
      images: sincePageLoad.length,
      nodesInProgress: inProgress.engine,
      currentItemId: input.engineActiveItemId ?? null,
    },
  }
}
