import { itemsOf, withoutItems } from './items'
import type { WorkflowExecutionState } from './state'

function activeItemIds(state: WorkflowExecutionState): Set<number> {
  return new Set(Object.values(state.activeItemIdByOrigin))
}

/**
 * LRU eviction: while there are more than `maxItems` items, drop the least recently touched settled item
 * that is no origin's active item. Runs only when an item is added or settles, never per event; unsettled
 * items are never evicted, so the cap is exceeded only while more than `maxItems` are unsettled.
 */
export function enforceItemCap(state: WorkflowExecutionState): WorkflowExecutionState {
  const { maxItems } = state.config
  const excess = state.items.ids.length - maxItems
  if (excess <= 0) return state
  const active = activeItemIds(state)
  const victims = itemsOf(state.items)
    .filter((item) => item.settled && !active.has(item.itemId))
    .sort((a, b) => a.lastTouched - b.lastTouched)
    .slice(0, excess)
    .map((item) => item.itemId)
  return victims.length === 0 ? state : evict(state, victims)
}

export function evict(state: WorkflowExecutionState, victims: number[]): WorkflowExecutionState {
  const remembered = [...state.evictedIds, ...victims]
  remembered.splice(0, Math.max(0, remembered.length - state.config.maxEvictedIds))
  return {
    ...state,
    items: withoutItems(state.items, victims),
    evictedIds: remembered,
    evictionCount: state.evictionCount + victims.length,
  }
}
