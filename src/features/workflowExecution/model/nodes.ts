import { emptyTrie, trieForEach, trieGet, trieSet } from './structures/hashTrie'
import { emptyList, listAppend, listToArray } from './structures/outputList'
import type {
  CopyStatus,
  InvocationCopy,
  InvocationOutput,
  ProgressImage,
  NodeExecutionState,
  NodeRecord,
  NodeStatus,
  NodeTally,
  QueueItemExecution,
} from './types'

/** Progress images longer than this (characters of data URL) are not stored: a sane preview is far smaller. */
export const MAX_PROGRESS_IMAGE_CHARS = 1_048_576

export const EMPTY_TALLY: NodeTally = { running: 0, completed: 0, failed: 0, canceled: 0, imageFrom: null }

const TALLY_FIELD: Record<CopyStatus, 'running' | 'completed' | 'failed' | 'canceled'> = {
  in_progress: 'running',
  completed: 'completed',
  failed: 'failed',
  canceled: 'canceled',
}

/** The aggregation of docs/model.md: FAILED > IN_PROGRESS > CANCELED > COMPLETED > PENDING. */
export function nodeStatusOf(tally: NodeTally): NodeStatus {
  if (tally.failed > 0) return 'FAILED'
  if (tally.running > 0) return 'IN_PROGRESS'
  if (tally.canceled > 0) return 'CANCELED'
  if (tally.completed > 0) return 'COMPLETED'
  return 'PENDING'
}

export function pendingNode(nodeId: string): NodeRecord {
  return {
    nodeId,
    status: 'PENDING',
    progress: null,
    progressImage: null,
    outputs: emptyList(),
    error: null,
    tally: EMPTY_TALLY,
    cached: false,
  }
}

export function storableImage(image: ProgressImage | null | undefined): ProgressImage | null {
  return image && image.dataURL.length <= MAX_PROGRESS_IMAGE_CHARS ? image : null
}

function moveTally(tally: NodeTally, from: CopyStatus | undefined, to: CopyStatus): NodeTally {
  if (from === to) return tally
  const next = { ...tally }
  if (from) next[TALLY_FIELD[from]] -= 1
  next[TALLY_FIELD[to]] += 1
  return next
}

/** What one copy's event does to its node, besides the status its tally gives: data, not a callback. */
export type NodeEffect =
  | { kind: 'reset' }
  | { kind: 'progress'; percentage: number | null; image: ProgressImage | null }
  | { kind: 'complete'; output: InvocationOutput | null }
  | { kind: 'error'; error: NodeRecord['error'] }
  | { kind: 'cached' }

export interface CopyChange {
  preparedId: string
  sourceNodeId: string
  status: CopyStatus
  output?: InvocationCopy['output']
  effect: NodeEffect
  imageFrom?: string | null
  /** The copy's output is delivered in this very event (a socket completion). */
  delivered?: boolean
  /** What the event says of the invocation; undefined keeps what the copy knows. */
  invocationType?: string | null
  isIntermediate?: boolean | null
}

/** The fields of an item one copy change rewrites: its copy and its node, O(log n) in copies. */
export type CopyFields = Pick<QueueItemExecution, 'copies' | 'nodes' | 'nodeOrder'>

export const RESET: NodeEffect = { kind: 'reset' }

/** A progress event without an image keeps the last image while the copy that sent it still runs. */
function keepsImage(copies: CopyFields['copies'], tally: NodeTally): boolean {
  return tally.imageFrom !== null && trieGet(copies, tally.imageFrom)?.status === 'in_progress'
}

/** One literal shape for every node record, so property access on nodes stays monomorphic. */
function nodeRecord(
  node: NodeRecord,
  status: NodeStatus,
  progress: number | null,
  progressImage: ProgressImage | null,
  outputs: NodeRecord['outputs'],
  error: NodeRecord['error'],
  tally: NodeTally,
  cached: boolean,
): NodeRecord {
  return { nodeId: node.nodeId, status, progress, progressImage, outputs, error, tally, cached }
}

function nodeAfter(
  node: NodeRecord,
  tally: NodeTally,
  effect: NodeEffect,
  copies: CopyFields['copies'],
): NodeRecord {
  const status = nodeStatusOf(tally)
  switch (effect.kind) {
    case 'reset':
      // A copy that runs was not served from cache.
      return nodeRecord(node, status, null, node.progressImage, node.outputs, node.error, tally, false)
    case 'cached':
      return nodeRecord(node, status, null, node.progressImage, node.outputs, node.error, tally, true)
    case 'progress': {
      const image = effect.image ?? (keepsImage(copies, tally) ? node.progressImage : null)
      return nodeRecord(node, status, effect.percentage, image, node.outputs, node.error, tally, node.cached)
    }
    case 'complete': {
      const outputs = effect.output ? listAppend(node.outputs, effect.output) : node.outputs
      return nodeRecord(
        node,
        status,
        node.progress === null ? null : 1,
        node.progressImage,
        outputs,
        node.error,
        tally,
        node.cached,
      )
    }
    case 'error':
      return nodeRecord(node, status, null, null, node.outputs, effect.error, tally, node.cached)
  }
}

/** Moves one copy to a status and updates only its node: O(1) in nodes, O(log n) in copies. */
export function changeCopy(item: CopyFields, change: CopyChange): CopyFields {
  const previous = trieGet(item.copies, change.preparedId)
  const sourceNodeId = previous?.sourceNodeId ?? change.sourceNodeId
  const output = change.output !== undefined ? change.output : (previous?.output ?? null)
  const known = trieGet(item.nodes, sourceNodeId)
  const node = known ?? pendingNode(sourceNodeId)
  let tally = moveTally(node.tally, previous?.status, change.status)
  if (change.imageFrom !== undefined && change.imageFrom !== tally.imageFrom) {
    tally = { ...tally, imageFrom: change.imageFrom }
  }
  const nextNode = nodeAfter(node, tally, change.effect, item.copies)
  // A progress event changes only its node: the copy is not rewritten for nothing.
  const delivered = change.delivered === true || previous?.delivered === true
  const invocationType = change.invocationType ?? previous?.invocationType ?? null
  const isIntermediate = change.isIntermediate ?? previous?.isIntermediate ?? null
  const copyUnchanged =
    previous?.status === change.status &&
    previous.output === output &&
    previous.delivered === delivered &&
    (previous.invocationType ?? null) === invocationType &&
    (previous.isIntermediate ?? null) === isIntermediate
  return {
    copies: copyUnchanged
      ? item.copies
      : trieSet(item.copies, change.preparedId, {
          preparedId: change.preparedId,
          sourceNodeId,
          status: change.status,
          output,
          delivered,
          invocationType,
          isIntermediate,
        }),
    nodes: trieSet(item.nodes, sourceNodeId, nextNode),
    nodeOrder: known ? item.nodeOrder : listAppend(item.nodeOrder, sourceNodeId),
  }
}

/** Every copy still running becomes canceled: an item that stopped leaves no node IN_PROGRESS. */
export function cancelRunningCopies(item: CopyFields): CopyFields {
  const running: InvocationCopy[] = []
  trieForEach(item.copies, (copy) => {
    if (copy.status === 'in_progress') running.push(copy)
  })
  let next: CopyFields = { copies: item.copies, nodes: item.nodes, nodeOrder: item.nodeOrder }
  for (const copy of running) {
    next = changeCopy(next, {
      preparedId: copy.preparedId,
      sourceNodeId: copy.sourceNodeId,
      status: 'canceled',
      effect: RESET,
    })
  }
  return next
}

export function emptyNodeMaps(): CopyFields {
  return { copies: emptyTrie(), nodes: emptyTrie(), nodeOrder: emptyList() }
}

/** The public view of a stored node (its outputs as one array). */
export function nodeView(node: NodeRecord): NodeExecutionState {
  const view: NodeExecutionState = {
    nodeId: node.nodeId,
    status: node.status,
    progress: node.progress,
    progressImage: node.progressImage,
    outputs: listToArray(node.outputs),
    error: node.error,
  }
  if (node.cached) view.cached = true
  return view
}
