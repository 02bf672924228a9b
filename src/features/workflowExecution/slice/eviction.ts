import { itemOf, itemsOf, withoutItems } from './items'
import type { QueueItemExecution } from '../model/types'
import type { WorkflowExecutionState } from './state'

function activeItemIds(state: WorkflowExecutionState): Set<number> {
  return new Set(Object.values(state.activeItemIdByOrigin))
}

const byLastTouched = (a: QueueItemExecution, b: QueueItemExecution) => a.lastTouched - b.lastTouched

/**
 * LRU eviction. Beyond `maxItems`, the least recently touched settled items that are no origin's current
 * run go first. Beyond 2 × `maxItems` (a server whose items never end), the least recently touched
 * unsettled ones that are no current run go too: their requests are aborted (the listeners see the
 * eviction) and they are counted in `stats.unsettledEvicted`. Runs only when an item is added or
 * settles, or a current run moves, never per event.
 */
export function enforceItemCap(state: WorkflowExecutionState): WorkflowExecutionState {
  const { maxItems } = state.config
  const excess = state.items.ids.length - maxItems
  if (excess <= 0) return state
  const active = activeItemIds(state)
  const evictable = itemsOf(state.items).filter((item) => !active.has(item.itemId))
  const settled = evictable
    .filter((item) => item.settled)
    .sort(byLastTouched)
    .slice(0, excess)
  const hardExcess = state.items.ids.length - settled.length - 2 * maxItems
  const unsettled =
    hardExcess > 0
      ? evictable
          .filter((item) => !item.settled)
          .sort(byLastTouched)
          .slice(0, hardExcess)
      : []
  const victims = [...settled, ...unsettled].map((item) => item.itemId)
  if (victims.length === 0) return state
  const evicted = evict(state, victims)
  return unsettled.length === 0
    ? evicted
    : {
        ...evicted,
        stats: { ...evicted.stats, unsettledEvicted: evicted.stats.unsettledEvicted + unsettled.length },
      }
}

export function evict(state: WorkflowExecutionState, victims: number[]): WorkflowExecutionState {
  const remembered = [...state.evictedIds, ...victims]
  const sessions = [
    ...state.evictedSessions,
    ...victims.map((id) => itemOf(state.items, id)?.sessionId ?? null),
  ]
  const over = Math.max(0, remembered.length - state.config.maxEvictedIds)
  remembered.splice(0, over)
  sessions.splice(0, over)
  return {
    ...state,
    items: withoutItems(state.items, victims),
    evictedIds: remembered,
    evictedSessions: sessions,
    evictionCount: state.evictionCount + victims.length,
  }
}
