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

/** Nodes each side shows running now, over every item it holds. */
function nodesInProgress({ naive, engine }: CompareInput): { naive: number; engine: number } {
  const running = (statuses: (NodeStatus | undefined)[]) => statuses.filter((s) => s === 'IN_PROGRESS').length
  return {
    naive: Object.values(naive.items).reduce(
      (sum, item) => sum + running(Object.values(item.nodes).map((node) => node.status)),
      0,
    ),
    engine: selectQueueItemIds(engine).reduce(
      (sum, itemId) =>
        sum +
        running(
          selectNodeIds(engine, itemId).map((id) => selectNodeExecutionState(engine, itemId, id)?.status),
        ),
      0,
    ),
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

export function compareNaiveWithEngine(input: CompareInput): Comparison {
  const naiveImages = imagesByItem(input.naive.gallery)
  // Outputs learned by hydration came before the naive client was listening: not its to miss.
  const sincePageLoad = input.engineGallery.filter((image) => image.via !== 'hydration')
  const engineImages = imagesByItem(sincePageLoad)
  const ids = [...new Set([...input.naive.order, ...engineImages.keys()])]
  const settled = ids.filter((id) => selectQueueItemExecution(input.engine, id)?.settled === true)
  const running = ids.filter((id) => selectQueueItemExecution(input.engine, id)?.settled === false).length
  const differences = [
    ...settled.flatMap((id) =>
      itemDifferences(input, id, naiveImages.get(id) ?? [], engineImages.get(id) ?? []),
    ),
    ...staleCurrent(input),
  ]
  const totals = Object.fromEntries(DIFFERENCE_KINDS.map((kind) => [kind, 0])) as Record<
    DifferenceKind,
    number
  >
  for (const difference of differences) totals[difference.kind] += difference.count
  const inProgress = nodesInProgress(input)
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
