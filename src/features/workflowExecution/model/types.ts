import type { QueueStatus } from './statuses'
import type { HashTrie } from './structures/hashTrie'
import type { OutputList } from './structures/outputList'

/** What a node produced: `type` names it, the rest is the protocol's own (InvokeAI's result, ComfyUI's `ui`). */
export interface InvocationOutput {
  type: string
  [field: string]: unknown
}

/** A progress preview: a data URL, with its size where the server says it (0 when it does not). */
export interface ProgressImage {
  width: number
  height: number
  dataURL: string
  [field: string]: unknown
}

/** A record keyed by ids the server chose. Created without a prototype: `__proto__` is just a key. */
export type IdRecord<T> = { readonly [id: string]: T }

export type NodeStatus = 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'CANCELED'

export type CopyStatus = 'in_progress' | 'completed' | 'failed' | 'canceled'

export interface NodeError {
  error_type: string
  error_message: string
  error_traceback: string | null
}

/** What a UI shows for one source node (InvokeAI's shape, plus CANCELED). */
export interface NodeExecutionState {
  nodeId: string
  status: NodeStatus
  progress: number | null
  progressImage: ProgressImage | null
  outputs: InvocationOutput[]
  error: NodeError | null
  /** Present when the node was served from the server's cache (ComfyUI's `execution_cached`). */
  cached?: true
}

/** One prepared execution copy of a source node (an iterate fan-out makes several). */
export interface InvocationCopy {
  preparedId: string
  sourceNodeId: string
  status: CopyStatus
  output: InvocationOutput | null
  /** Its output went out through `invocationOutputReceived`. */
  delivered: boolean
  /** The node type (`invocation.type`), from the event or the persisted graph; null if never said. */
  invocationType?: string | null
  /** `is_intermediate` of the invocation, where known. */
  isIntermediate?: boolean | null
}

/** Per source node: how many of its copies are in each state, so a node's status costs O(1). */
export interface NodeTally {
  running: number
  completed: number
  failed: number
  canceled: number
  /** The copy whose progress image the node shows. */
  imageFrom: string | null
}

/**
 * What the engine stores per source node: the fields of `NodeExecutionState`, its outputs in chunks
 * (appending stays cheap at any fan-out) and the tally of its copies. Read it through the selectors, which
 * give the `NodeExecutionState` view.
 */
export interface NodeRecord {
  nodeId: string
  status: NodeStatus
  progress: number | null
  progressImage: ProgressImage | null
  outputs: OutputList<InvocationOutput>
  error: NodeError | null
  tally: NodeTally
  /** Served from cache (K1): it completed without running. */
  cached: boolean
}

export type ReconciliationPhase = 'idle' | 'pending' | 'done' | 'aborted' | 'failed' | 'gave_up'

export interface ReconciliationRecord {
  requestId: string | null
  phase: ReconciliationPhase
  /** Failed attempts of the current request. */
  attempts: number
  lastError: string | null
  /** Status of the last snapshot applied or recorded. */
  snapshotStatus: QueueStatus | 'gone' | null
}

export interface DecisionEntry {
  rule: RuleId
  event: EventKey
  applied: boolean
}

/** A fixed-size ring: recent decisions without a list that grows. */
export interface DecisionRing {
  entries: DecisionEntry[]
  next: number
  total: number
}

export interface OrphanOutput {
  preparedId: string
  output: InvocationOutput
  invocationType?: string | null
  isIntermediate?: boolean | null
}

/** What the server says of a queue item besides its status: filled from the first event that carries it. */
export interface ItemMeta {
  queueId: string
  origin: string | null
  destination: string | null
  batchId: string | null
  sessionId: string | null
  userId: string | null
}

export interface QueueItemExecution extends ItemMeta {
  itemId: number
  /** Queue status, lowercase as on the wire; null until an event says. */
  status: QueueStatus | null
  statusSequence: number | null
  /** When the server started the item (`started_at`): orders runs of one origin whatever the arrival order. */
  startedAt: string | null
  error: NodeError | null
  /** Per prepared copy, in a persistent hash trie: O(log n) to update at any fan-out. */
  copies: HashTrie<InvocationCopy>
  /** Per source node, in a hash trie too; read through the selectors (`NodeExecutionState`). */
  nodes: HashTrie<NodeRecord>
  /** Node ids in the order they were first seen. */
  nodeOrder: OutputList<string>
  /** Persisted results that neither mapping attributes to a source node: kept, counted, delivered. */
  orphanOutputs: OrphanOutput[]
  /** Orphans whose output went out through `invocationOutputReceived`. */
  deliveredOrphans: HashTrie<true>
  reconciliation: ReconciliationRecord
  /** Terminal and reconciled (or reconciliation given up): the item may be evicted. */
  settled: boolean
  decisions: DecisionRing
  /** LRU clock value of the last event that touched this item. */
  lastTouched: number
}

/**
 * One prepared copy as the server persisted it: the neutral form each protocol's adapter maps its REST
 * answer to (InvokeAI's session results, errors and mappings; ComfyUI's history outputs and messages).
 */
export interface PersistedCopy {
  preparedId: string
  /** The node it is a copy of; null when the answer does not say (a copy the item knows keeps its own). */
  sourceNodeId: string | null
  /** `completed` (with its output if it has one), `failed` (with its error), `prepared`: planned, neither. */
  outcome: 'completed' | 'failed' | 'prepared'
  output?: InvocationOutput
  error?: NodeError
  /** The node type, when the answer says (undefined: it does not, and what the item knows stays). */
  invocationType?: string
  isIntermediate?: boolean
  /** Served from the server's cache (ComfyUI's persisted `execution_cached`). */
  cached?: true
}

/** What the server persisted of one item: what a reconciliation or a listing applies. */
export interface PersistedRun {
  status: QueueStatus
  statusSequence: number | null
  startedAt: string | null
  error: NodeError | null
  meta: ItemMeta
  /** Completed copies first, then failed, then prepared, each in the answer's order. */
  copies: readonly PersistedCopy[]
  /** Ids in execution order (prepared or node ids): how each node's outputs are ordered. */
  executionOrder: readonly string[]
  /** Every node of the run's graph, in its order: a node without a copy shows as not run. */
  nodeIds: readonly string[]
}

export type QueueState = QueueStatus | 'none'
export type CopyState = CopyStatus | 'unknown'

/**
 * What one event says of one copy. `cached`: served from the server's cache, it never runs (ComfyUI's
 * `execution_cached`); `blocked`: a non-terminal error, the item runs on (ComfyUI's `ExecutionBlocked`).
 */
export type InvocationPhase = 'started' | 'progress' | 'complete' | 'error' | 'cached' | 'blocked'

/** One node of a whole-item progress snapshot (ComfyUI's `progress_state`). */
export interface ProgressStateEntry {
  preparedId: string
  sourceNodeId: string
  state: 'running' | 'finished'
  /** 0..1 while running; null when the server gives no measure. */
  percentage: number | null
}

/** The model's alphabet: every rule matches some of these keys. */
export type EventKey =
  | `status:${QueueStatus}`
  | InvocationPhase
  | 'progress_state'
  | 'cancel'
  | 'reconcile_requested'
  | 'snapshot:terminal'
  | 'snapshot:active'
  | 'snapshot:gone'
  | 'reconcile_failed'
  | 'reconcile_aborted'
  | 'hydrated:terminal'
  | 'hydrated:active'
  | 'settle'
  | 'deliver'

export type ModelEvent =
  | {
      kind: 'status'
      status: QueueStatus
      statusSequence: number | null
      startedAt?: string | null
      error: NodeError | null
      meta: ItemMeta
      redacted: boolean
    }
  | {
      kind: 'invocation'
      phase: InvocationPhase
      preparedId: string
      sourceNodeId: string
      meta: ItemMeta
      redacted: boolean
      percentage?: number | null
      image?: ProgressImage | null
      output?: InvocationOutput
      error?: NodeError
      /** `invocation.type` and `invocation.is_intermediate`, as the event carries them. */
      invocationType?: string | null
      isIntermediate?: boolean | null
    }
  /** A whole-item progress snapshot: every node that is not pending, each running or finished. */
  | {
      kind: 'progress_state'
      meta: ItemMeta
      redacted: boolean
      nodes: readonly ProgressStateEntry[]
    }
  | {
      kind: 'cancel'
      cause: 'queue_cleared' | 'queue_items_canceled'
      /** The queue the bulk event is about. */
      queueId: string
      /** `queue_cleared`: whose items were deleted (null: every user's); undefined for a bulk cancel. */
      userId?: string | null
      /** The engine's current user when the event came (items without a user_id are theirs). */
      currentUserId?: string | null
    }
  | { kind: 'reconcile_requested'; requestId: string }
  | {
      kind: 'snapshot'
      requestId: string
      snapshot: PersistedRun
      /** Asked because the socket's sequence is in doubt: the persisted sequence wins even when lower. */
      trustSequence?: boolean
    }
  | { kind: 'snapshot_gone'; requestId: string }
  | { kind: 'reconcile_failed'; requestId: string; error: string; final: boolean }
  | { kind: 'reconcile_aborted'; requestId: string }
  /** A persisted item from the server's list on connect (not an answer to a request). */
  | { kind: 'hydrated'; snapshot: PersistedRun; redacted: boolean }
  /** The item stopped: may it settle without the server's word? */
  | { kind: 'settle' }
  /** The host was told of an output (`invocationOutputReceived` dispatched by hand). */
  | { kind: 'deliver'; preparedId: string }

export type RuleId =
  | 'E1'
  | 'N1'
  | 'U1'
  | 'N2'
  | 'R0'
  | 'R1'
  | 'R2'
  | 'R3'
  | 'R4a'
  | 'R4b'
  | 'R5'
  | 'R6'
  | 'R7'
  | 'H1'
  | 'H2'
  | 'H3'
  | 'H4'
  | 'H5'
  | 'H6'
  | 'H7'
  | 'H8'
  | 'C1'
  | 'C2'
  | 'C3'
  | 'Q1a'
  | 'Q1b'
  | 'Q2'
  | 'Q3'
  | 'Q4a'
  | 'Q4b'
  | 'Q4c'
  | 'Q5'
  | 'Q6a'
  | 'Q6b'
  | 'Q7'
  | 'S1'
  | 'S2'
  | 'O1'
  | 'O2'
  | 'T1'
  | 'T2'
  | 'I5'
  | 'K1'
  | 'K2'
  | 'K3'
  | 'B1'
  | 'B2'
  | 'P1'
  | 'P2'
  | 'T3'
  | 'T4'
  | 'I1'
  | 'I2a'
  | 'I2b'
  | 'I3'
  | 'I4'
  | CurrentRunRuleId

/** Rows of the current-run table (model/currentRun.ts): which item is an origin's current run. */
export type CurrentRunRuleId = 'A1' | 'A2' | 'A3' | 'A4' | 'A5' | 'A6'

export interface Decision {
  applied: boolean
  rule: RuleId
}

export interface TransitionContext {
  /** The item was evicted: it is settled, so the event is stale (E1) unless its session is new. */
  evicted?: boolean
  /** The session remembered with the evicted id (null: none known). */
  evictedSessionId?: string | null
  /** The engine does not track the item yet (the item is a blank placeholder). Default: tracked. */
  untracked?: boolean
  /** Whether the item's origin is reconciled over REST (default true): an unreconciled one settles at once. */
  reconciles?: boolean
  /** The LRU clock value to stamp on the item. */
  touchedAt?: number
}

export interface TransitionResult {
  state: QueueItemExecution
  decision: Decision
}
