import { emptyRecord } from '../model/records'
import { emptyTrie, type HashTrie } from '../model/structures/hashTrie'
import type { IdRecord } from '../model/types'
import { emptyItemTable, type ItemTable } from './items'

/** Where the engine's state sits in the host's root state, and the prefix of its action types. */
export const REDUCER_PATH = 'workflowExecution' as const

export const DEFAULT_MAX_ITEMS = 100
/** How many evicted ids are remembered (E1) so trailing events cannot resurrect them. */
export const DEFAULT_MAX_EVICTED_IDS = 1000

export interface WorkflowExecutionConfig {
  maxItems: number
  maxEvictedIds: number
  /** Origins whose terminal items are reconciled over REST; null = every origin. */
  reconcileOrigins: string[] | null
  /** Whose `queue_cleared` with a user_id also clears items that carry no user_id (older servers). */
  currentUserId: string | null
  /** Server root for the default queue-item fetch, e.g. 'http://127.0.0.1:9090' ('' = same origin). */
  baseUrl: string
  queueId: string
  /** How many recent items hydration asks for on connect; null: no hydration. */
  hydrateRecentItems: number | null
}

export interface WorkflowExecutionState {
  items: ItemTable
  /** The item that most recently went in_progress, per origin: the "current run" of each UI surface. */
  activeItemIdByOrigin: IdRecord<number>
  /** Evicted ids, oldest first (bounded by `maxEvictedIds`). */
  evictedIds: number[]
  /** The session of each evicted id, at the same index: an id reused by another session comes back. */
  evictedSessions: (string | null)[]
  evictionCount: number
  /**
   * Items a server keys by a string of its own (ComfyUI's `prompt_id`): that key → the item id the engine
   * gave it. Empty for InvokeAI, whose item ids are the server's.
   */
  itemIdByRunKey: HashTrie<number>
  /** The item id the engine gives the next such item. */
  nextRunItemId: number
  /** LRU clock: bumped by every event that touches an item. */
  clock: number
  connected: boolean
  config: WorkflowExecutionConfig
  stats: {
    /** Events ignored under E1 (their item was evicted). */
    evictedEventsIgnored: number
    /** Unsettled items evicted because more than 2 × `maxItems` were held. */
    unsettledEvicted: number
    /** Events about runs this client does not track and that cannot introduce one (another client's prompt). */
    foreignEventsIgnored: number
  }
}

export function createInitialState(config: Partial<WorkflowExecutionConfig> = {}): WorkflowExecutionState {
  return {
    items: emptyItemTable(),
    activeItemIdByOrigin: emptyRecord(),
    evictedIds: [],
    evictedSessions: [],
    evictionCount: 0,
    itemIdByRunKey: emptyTrie(),
    nextRunItemId: 1,
    clock: 0,
    connected: false,
    config: {
      maxItems: DEFAULT_MAX_ITEMS,
      maxEvictedIds: DEFAULT_MAX_EVICTED_IDS,
      reconcileOrigins: null,
      currentUserId: null,
      baseUrl: '',
      queueId: 'default',
      hydrateRecentItems: null,
      ...config,
    },
    stats: { evictedEventsIgnored: 0, unsettledEvicted: 0, foreignEventsIgnored: 0 },
  }
}

/** Whether items of an origin are reconciled over REST (and so settle only once reconciled). */
export function reconcilesOrigin(config: WorkflowExecutionConfig, origin: string | null): boolean {
  return config.reconcileOrigins === null || (origin !== null && config.reconcileOrigins.includes(origin))
}
