import { trieForEach } from '../model/structures/hashTrie'
import { itemOf, withoutItems } from './items'
import type { QueueItemExecution } from '../model/types'
import type { WorkflowExecutionState } from './state'

function activeItemIds(state: WorkflowExecutionState): Set<number> {
  return new Set(Object.values(state.activeItemIdByOrigin))
}

const byLastTouched = (a: QueueItemExecution, b: QueueItemExecution) => a.lastTouched - b.lastTouched

/** Beyond this many victims a sort is cheaper than keeping the few least recently touched in order. */
const FEW_VICTIMS = 8

/** The `count` least recently touched of `items`, oldest first. */
function leastRecentlyTouched(items: QueueItemExecution[], count: number): QueueItemExecution[] {
  if (count <= 0) return []
  if (count >= items.length) return items.sort(byLastTouched)
  if (count > FEW_VICTIMS) return items.sort(byLastTouched).slice(0, count)
  // Usually one item is over the cap (one was just added): a tiny ordered list, not a sort per add.
  const oldest: QueueItemExecution[] = []
  for (const item of items) {
    if (oldest.length === count && item.lastTouched >= oldest[count - 1]!.lastTouched) continue
    let at = oldest.length === count ? count - 1 : oldest.length
    while (at > 0 && oldest[at - 1]!.lastTouched > item.lastTouched) {
      oldest[at] = oldest[at - 1]!
      at -= 1
    }
    oldest[at] = item
  }
  return oldest
}

/**
 * How far below the hard cap a server whose items never end is brought: evicting a slack at once keeps a
 * flood of new items from scanning every held item on every add.
 */
const hardCapSlack = (maxItems: number) => Math.ceil(maxItems / 8)

/**
 * LRU eviction. Beyond `maxItems`, the least recently touched settled items that are no origin's current
 * run go first. Beyond 2 × `maxItems` (a server whose items never end), the least recently touched
 * unsettled ones that are no current run go too, down to a slack below the cap: their requests are
 * aborted (the listeners see the eviction) and they are counted in `stats.unsettledEvicted`. Runs only
 * when an item is added or settles, or a current run moves, never per event; in one pass over the items.
 */
export function enforceItemCap(state: WorkflowExecutionState): WorkflowExecutionState {
  const { maxItems } = state.config
  const { ids } = state.items
  const excess = ids.length - maxItems
  if (excess <= 0) return state
  const active = activeItemIds(state)
  const settledEvictable: QueueItemExecution[] = []
  const unsettledEvictable: QueueItemExecution[] = []
  // A walk of the trie's leaves: no key hashed, no lookup per id.
  trieForEach(state.items.byId, (item) => {
    if (active.has(item.itemId)) return
    if (item.settled) settledEvictable.push(item)
    else unsettledEvictable.push(item)
  })
  const settled = leastRecentlyTouched(settledEvictable, excess)
  const held = ids.length - settled.length
  const unsettled =
    held > 2 * maxItems
      ? leastRecentlyTouched(unsettledEvictable, held - 2 * maxItems + hardCapSlack(maxItems))
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
