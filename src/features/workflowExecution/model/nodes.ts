import { getOwn } from './records'
import { emptyTrie, trieForEach, trieGet, trieSet } from './structures/hashTrie'
import { emptyList, listAppend, listToArray } from './structures/outputList'
import type {
  CopyStatus,
  InvocationCopy,
  NodeExecutionState,
  NodeRecord,
  NodeStatus,
  NodeTally,
  QueueItemExecution,
} from './types'
import type { InvocationOutput, ProgressImage } from '../wire/types'

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

/** What one copy's event changes on its node, besides the status its tally gives. */
export interface NodePatch {
  progress?: number | null
  progressImage?: ProgressImage | null
  error?: NodeRecord['error']
  /** An output to append. */
  output?: InvocationOutput
}

export interface CopyChange {
  preparedId: string
  sourceNodeId: string
  status: CopyStatus
  output?: InvocationCopy['output']
  node?: (node: NodeRecord, tally: NodeTally) => NodePatch
  imageFrom?: string | null
  /** The copy's output is delivered in this very event (a socket completion). */
  delivered?: boolean
}

/** The fields of an item one copy change rewrites: its copy and its node, O(log n) in copies. */
export type CopyFields = Pick<QueueItemExecution, 'copies' | 'nodes'>

/** Moves one copy to a status and updates only its node: O(1) in nodes, O(log n) in copies. */
export function changeCopy(item: CopyFields, change: CopyChange): CopyFields {
  const previous = trieGet(item.copies, change.preparedId)
  const sourceNodeId = previous?.sourceNodeId ?? change.sourceNodeId
  const output = change.output !== undefined ? change.output : (previous?.output ?? null)
  const node = getOwn(item.nodes, sourceNodeId) ?? pendingNode(sourceNodeId)
  let tally = moveTally(node.tally, previous?.status, change.status)
  if (change.imageFrom !== undefined && change.imageFrom !== tally.imageFrom) {
    tally = { ...tally, imageFrom: change.imageFrom }
  }
  const patch = change.node ? change.node(node, tally) : {}
  const nextNode: NodeRecord = {
    nodeId: node.nodeId,
    status: nodeStatusOf(tally),
    progress: patch.progress !== undefined ? patch.progress : node.progress,
    progressImage: patch.progressImage !== undefined ? patch.progressImage : node.progressImage,
    outputs: patch.output ? listAppend(node.outputs, patch.output) : node.outputs,
    error: patch.error !== undefined ? patch.error : node.error,
    tally,
  }
  // A progress event changes only its node: the copy is not rewritten for nothing.
  const delivered = change.delivered === true || previous?.delivered === true
  const copyUnchanged =
    previous?.status === change.status && previous.output === output && previous.delivered === delivered
  return {
    copies: copyUnchanged
      ? item.copies
      : trieSet(item.copies, change.preparedId, {
          preparedId: change.preparedId,
          sourceNodeId,
          status: change.status,
          output,
          delivered,
        }),
    nodes: { ...item.nodes, [sourceNodeId]: nextNode },
  }
}

/** Every copy still running becomes canceled: an item that stopped leaves no node IN_PROGRESS. */
export function cancelRunningCopies(item: CopyFields): CopyFields {
  const running: InvocationCopy[] = []
  trieForEach(item.copies, (copy) => {
    if (copy.status === 'in_progress') running.push(copy)
  })
  let next: CopyFields = { copies: item.copies, nodes: item.nodes }
  for (const copy of running) {
    next = changeCopy(next, {
      preparedId: copy.preparedId,
      sourceNodeId: copy.sourceNodeId,
      status: 'canceled',
      node: () => ({ progress: null }),
    })
  }
  return next
}

export function emptyNodeMaps(): CopyFields {
  return { copies: emptyTrie(), nodes: {} }
}

/** The public view of a stored node (its outputs as one array). */
export function nodeView(node: NodeRecord): NodeExecutionState {
  return {
    nodeId: node.nodeId,
    status: node.status,
    progress: node.progress,
    progressImage: node.progressImage,
    outputs: listToArray(node.outputs),
    error: node.error,
  }
}
