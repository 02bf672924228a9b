import { createQueueItemExecution, transition } from '../model/transition'
import { isTerminalStatus } from '../model/snapshot'
import { cancelRunningCopies } from '../model/nodes'
import type { ItemMeta, ModelEvent, QueueItemExecution } from '../model/types'
import { nextActiveItems } from './activeItems'
import { enforceItemCap } from './eviction'
import { itemOf, itemsOf, withItem } from './items'
import { reconcilesOrigin, type WorkflowExecutionConfig, type WorkflowExecutionState } from './state'

const RECONCILIATION_EVENTS = new Set<ModelEvent['kind']>([
  'reconcile_requested',
  'snapshot',
  'snapshot_gone',
  'reconcile_failed',
  'reconcile_aborted',
])

function metaOf(event: ModelEvent): ItemMeta | undefined {
  return 'meta' in event ? event.meta : undefined
}

/** An origin that is not reconciled has nothing to wait for: its terminal status is final. */
function settleUnreconciled(config: WorkflowExecutionConfig, item: QueueItemExecution): QueueItemExecution {
  if (item.settled || !isTerminalStatus(item.status) || reconcilesOrigin(config, item.origin)) return item
  return { ...item, ...cancelRunningCopies(item), settled: true }
}

/** Runs one model event for one item through the rule table and updates the indexes around it. */
export function applyItemEvent(
  state: WorkflowExecutionState,
  itemId: number,
  event: ModelEvent,
): WorkflowExecutionState {
  const existing = itemOf(state.items, itemId)
  // E1: the item is settled and gone; a trailing event must not bring it back. Only an id that is not
  // tracked pays for this look-up in the bounded list.
  if (!existing && state.evictedIds.includes(itemId)) {
    return { ...state, stats: { ...state.stats, evictedEventsIgnored: state.stats.evictedEventsIgnored + 1 } }
  }
  if (!existing) {
    // Only socket events may introduce an item (they can beat the enqueue response); a redacted
    // companion or a reconciliation of an item never tracked introduces nothing.
    const meta = metaOf(event)
    if (!meta || RECONCILIATION_EVENTS.has(event.kind) || ('redacted' in event && event.redacted))
      return state
  }
  const before = existing ?? createQueueItemExecution(itemId, metaOf(event))
  const clock = state.clock + 1
  const { state: after, decision } = transition(before, event, { touchedAt: clock })
  const item = settleUnreconciled(state.config, after)

  const activeItemIdByOrigin = nextActiveItems(state, item, event, decision)
  // One literal of one shape (a spread of the state is several times slower in V8).
  const next: WorkflowExecutionState = {
    items: withItem(state.items, item, !existing),
    activeItemIdByOrigin,
    evictedIds: state.evictedIds,
    evictionCount: state.evictionCount,
    clock,
    connected: state.connected,
    config: state.config,
    stats: state.stats,
  }
  // The cap is checked when an item is added, settles, or stops being its origin's active item.
  const becameSettled = item.settled && !existing?.settled
  const activeMoved = activeItemIdByOrigin !== state.activeItemIdByOrigin
  return !existing || becameSettled || activeMoved ? enforceItemCap(next) : next
}

/** C1 for every tracked item the predicate selects (queue cleared, bulk cancel). */
export function cancelItems(
  state: WorkflowExecutionState,
  selects: (item: QueueItemExecution) => boolean,
  cause: 'queue_cleared' | 'queue_items_canceled',
): WorkflowExecutionState {
  let next = state
  for (const item of itemsOf(state.items)) {
    const id = item.itemId
    if (selects(item)) next = applyItemEvent(next, id, { kind: 'cancel', cause })
  }
  return next
}
