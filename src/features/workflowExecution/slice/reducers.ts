import { eventKeyOf } from '../model/decide'
import { recordDecision } from '../model/decisions'
import { isTerminalStatus } from '../model/snapshot'
import { createQueueItemExecution, transition } from '../model/transition'
import type { ItemMeta, ModelEvent, QueueItemExecution } from '../model/types'
import { nextActiveItems } from './activeItems'
import { enforceItemCap } from './eviction'
import { itemOf, itemsOf, withItem } from './items'
import { reconcilesOrigin, type WorkflowExecutionState } from './state'

/** What the event says of an item it may introduce (a blank placeholder before the table decides). */
function metaOf(event: ModelEvent): Partial<ItemMeta> | undefined {
  if (event.kind === 'status' || event.kind === 'invocation' || event.kind === 'progress_state')
    return event.meta
  if (event.kind === 'hydrated') return event.snapshot.meta
  return undefined
}

/**
 * Runs one model event for one item through the rule table and updates the indexes around it. An item
 * the engine does not track is a blank placeholder: it is kept only if the table applies the event (only
 * events about a run may introduce one: N1, U1, E1 decide the rest).
 */
export function applyItemEvent(
  state: WorkflowExecutionState,
  itemId: number,
  event: ModelEvent,
): WorkflowExecutionState {
  const existing = itemOf(state.items, itemId)
  // Only an id that is not tracked pays for the look-up in the bounded list of evicted ids.
  const evictedAt = existing ? -1 : state.evictedIds.indexOf(itemId)
  const clock = state.clock + 1
  const before = existing ?? createQueueItemExecution(itemId, metaOf(event))
  const context = {
    touchedAt: clock,
    untracked: !existing,
    evicted: evictedAt !== -1,
    evictedSessionId: evictedAt === -1 ? null : (state.evictedSessions[evictedAt] ?? null),
    reconciles: reconcilesOrigin(state.config, before.origin ?? metaOf(event)?.origin ?? null),
  }
  const { state: after, decision } = transition(before, event, context)
  if (!existing && !decision.applied) {
    return decision.rule === 'E1'
      ? { ...state, stats: { ...state.stats, evictedEventsIgnored: state.stats.evictedEventsIgnored + 1 } }
      : state
  }
  let item = after
  // An item of an origin that is not reconciled settles as soon as it stops (S1).
  if (isTerminalStatus(item.status) && !item.settled && !reconcilesOrigin(state.config, item.origin))
    item = transition(item, { kind: 'settle' }, { ...context, untracked: false, reconciles: false }).state

  const current = nextActiveItems(state, existing, item, event, decision)
  // A5 (no evidence either way) decides nothing worth a record.
  if (current.rule !== null && current.rule !== 'A5')
    item = {
      ...item,
      decisions: recordDecision(
        item.decisions,
        { applied: current.becomes, rule: current.rule },
        eventKeyOf(event),
      ),
    }
  // A reused id that comes back with a new session is tracked again, no longer remembered as evicted.
  const evictedIds =
    evictedAt === -1 ? state.evictedIds : state.evictedIds.filter((_, at) => at !== evictedAt)
  const evictedSessions =
    evictedAt === -1 ? state.evictedSessions : state.evictedSessions.filter((_, at) => at !== evictedAt)
  // One literal of one shape (a spread of the state is several times slower in V8).
  const next: WorkflowExecutionState = {
    items: withItem(state.items, item, !existing),
    activeItemIdByOrigin: current.active,
    evictedIds,
    evictedSessions,
    evictionCount: state.evictionCount,
    itemIdByRunKey: state.itemIdByRunKey,
    nextRunItemId: state.nextRunItemId,
    clock,
    connected: state.connected,
    config: state.config,
    stats: state.stats,
  }
  // The cap is checked when an item is added, settles, or stops being its origin's active item.
  const becameSettled = item.settled && !existing?.settled
  const activeMoved = current.active !== state.activeItemIdByOrigin
  return !existing || becameSettled || activeMoved ? enforceItemCap(next) : next
}

/** A bulk event (queue cleared, bulk cancel) for each item it addresses: the table decides per item. */
export function cancelItems(
  state: WorkflowExecutionState,
  itemIds: readonly number[],
  event: Extract<ModelEvent, { kind: 'cancel' }>,
): WorkflowExecutionState {
  let next = state
  for (const id of itemIds) if (itemOf(next.items, id)) next = applyItemEvent(next, id, event)
  return next
}

/** Every tracked item, for a bulk event that addresses them all. */
export function trackedItemIds(state: WorkflowExecutionState): number[] {
  return itemsOf(state.items).map((item: QueueItemExecution) => item.itemId)
}
