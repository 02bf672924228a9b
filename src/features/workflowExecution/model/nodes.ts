import { emptyRecord, getOwn, withKey } from './records'
import type {
  CopyStatus,
  InvocationCopy,
  NodeExecutionState,
  NodeStatus,
  NodeTally,
  QueueItemExecution,
} from './types'
import type { ProgressImage } from '../wire/types'

/** Progress images longer than this (characters of data URL) are not stored: a sane preview is far smaller. */
export const MAX_PROGRESS_IMAGE_CHARS = 1_048_576

const EMPTY_TALLY: NodeTally = { running: 0, completed: 0, failed: 0, canceled: 0, imageFrom: null }

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

export function pendingNode(nodeId: string): NodeExecutionState {
  return { nodeId, status: 'PENDING', progress: null, progressImage: null, outputs: [], error: null }
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

export interface CopyChange {
  preparedId: string
  sourceNodeId: string
  status: CopyStatus
  output?: InvocationCopy['output']
  /** Node fields to change besides its status (progress, image, outputs, error). */
  node?: (node: NodeExecutionState, tally: NodeTally) => Partial<NodeExecutionState>
  imageFrom?: string | null
}

/** Moves one copy to a status and updates only its node and that node's tally: O(1) in nodes and copies. */
export function changeCopy(item: QueueItemExecution, change: CopyChange): QueueItemExecution {
  const previous = getOwn(item.copies, change.preparedId)
  const sourceNodeId = previous?.sourceNodeId ?? change.sourceNodeId
  const copy: InvocationCopy = {
    preparedId: change.preparedId,
    sourceNodeId,
    status: change.status,
    output: change.output !== undefined ? change.output : (previous?.output ?? null),
  }
  const previousTally = getOwn(item.tallies, sourceNodeId)
  let tally = moveTally(previousTally ?? EMPTY_TALLY, previous?.status, change.status)
  if (change.imageFrom !== undefined && change.imageFrom !== tally.imageFrom) {
    tally = { ...tally, imageFrom: change.imageFrom }
  }
  const node = getOwn(item.nodes, sourceNodeId) ?? pendingNode(sourceNodeId)
  const patch = change.node ? change.node(node, tally) : {}
  const nextNode: NodeExecutionState = { ...node, ...patch, status: nodeStatusOf(tally) }
  // A progress event changes only its node: the copy and tally records are not copied for nothing.
  const copyUnchanged = previous?.status === copy.status && previous.output === copy.output
  return {
    ...item,
    copies: copyUnchanged ? item.copies : withKey(item.copies, change.preparedId, copy),
    tallies: tally === previousTally ? item.tallies : withKey(item.tallies, sourceNodeId, tally),
    nodes: withKey(item.nodes, sourceNodeId, nextNode),
  }
}

/** Every copy still running becomes canceled: an item that stopped leaves no node IN_PROGRESS. */
export function cancelRunningCopies(item: QueueItemExecution): QueueItemExecution {
  let next = item
  for (const preparedId in item.copies) {
    const copy = item.copies[preparedId]
    if (copy?.status !== 'in_progress') continue
    next = changeCopy(next, {
      preparedId,
      sourceNodeId: copy.sourceNodeId,
      status: 'canceled',
      node: () => ({ progress: null }),
    })
  }
  return next
}

export function emptyNodeMaps(): Pick<QueueItemExecution, 'copies' | 'nodes' | 'tallies'> {
  return { copies: emptyRecord(), nodes: emptyRecord(), tallies: emptyRecord() }
}
