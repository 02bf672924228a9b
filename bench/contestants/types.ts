import type { NodeStatus, SessionQueueItem } from '../../src'
import type { WireEvent } from '../wire'

export const CONTESTANT_NAMES = ['engine', 'floor', 'mutable', 'Map.set'] as const

export type ContestantName = (typeof CONTESTANT_NAMES)[number]

/** What a contestant computed for one node; `outputs` is null where it keeps none (Map.set). */
export interface NodeSummary {
  status: NodeStatus
  progress: number | null
  outputs: number | null
}

/** What a contestant computed for one item, read after the timed part, for the agreement checks. */
export interface ItemSummary {
  status: string | null
  nodes: Record<string, NodeSummary>
  /** Persisted results no mapping attributes to a node; null where the contestant cannot tell. */
  orphans: number | null
}

export interface ReconcileTiming {
  /** From asking for the persisted item until its word is in the state. */
  appliedMs: number
  /** The same start until the last output was delivered. */
  totalMs: number
  delivered: number
}

export interface ReconcileWatcher {
  /** `ms` since the reconciliation was asked for. */
  onApplied?(ms: number): void
  onDelivered?(delivered: number, ms: number): void
}

export interface ContestantOptions {
  /** Settled items kept by the engine (its default otherwise); the others keep everything. */
  maxItems?: number
}

export interface Contestant {
  readonly name: ContestantName
  /** Delivers `events[from..to)` in order, as a socket would, one at a time. */
  feed(events: readonly WireEvent[], from?: number, to?: number): void
  /**
   * Takes the persisted item's word for a tracked item, then delivers every output it names once. The
   * watcher hears both as they happen: a run stopped by the time cap still says how far it got.
   */
  reconcile(snapshot: SessionQueueItem, watcher?: ReconcileWatcher): Promise<ReconcileTiming>
  /** The contestant's own record of an item (for its JSON size), if it keeps one. */
  record(itemId: number): unknown
  summary(itemId: number): ItemSummary | undefined
  /** Items held right now. */
  itemCount(): number
  close(): void
}
