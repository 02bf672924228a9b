import { createFirstSeenMap } from '../session/firstSeenMap'
import type { Observable } from '../session/observable'
import {
  createTimelineState,
  itemsTouchedBy,
  itemTimelineAfter,
  linkMarkOf,
  type ItemTimeline,
  type LinkMark,
  type RecordedAction,
  type TimelineLimits,
  type TimelineState,
} from './timeline'

/**
 * The timeline as the page records it: the same steps as `recordAction`, on a bounded mutable store, so
 * an action costs the same however many items are held (a flood of 2,000 new items a second): one
 * reference check when it leaves the items alone, one item's timeline otherwise. The observable's value is
 * a snapshot built on `get()` only when something changed since the last one.
 */
export interface TimelineStore extends Observable<TimelineState> {
  record(recorded: RecordedAction): void
}

export function createTimelineStore(limits?: TimelineLimits): TimelineStore {
  const initial = createTimelineState(limits)
  const bounds = initial.limits
  const listeners = new Set<() => void>()
  // Bounded in first-seen order, O(1) a set: a set on a held id keeps its place.
  let items = createFirstSeenMap<number, ItemTimeline>(bounds.maxItems)
  // Oldest first; trimmed to maxLinkMarks whenever it reaches twice that.
  let link: LinkMark[] = []
  let version = 0
  let snapshot = { version, state: initial }

  const notify = () => {
    for (const listener of [...listeners]) listener()
  }

  const get = (): TimelineState => {
    if (snapshot.version === version) return snapshot.state
    const order = items.keys()
    const state: TimelineState = {
      limits: bounds,
      items: Object.fromEntries(order.map((id) => [id, items.get(id) as ItemTimeline])),
      order,
      link: link.slice(-bounds.maxLinkMarks),
    }
    snapshot = { version, state }
    return state
  }

  const set = (next: TimelineState) => {
    if (Object.is(next, get())) return
    items = createFirstSeenMap(
      bounds.maxItems,
      next.order.flatMap((id) => (next.items[id] ? [[id, next.items[id]] as const] : [])),
    )
    link = [...next.link]
    version += 1
    snapshot = { version, state: next }
    notify()
  }

  return {
    record(recorded) {
      let changed = false
      const mark = linkMarkOf(recorded)
      if (mark !== null) {
        link.push(mark)
        if (link.length >= 2 * bounds.maxLinkMarks) link = link.slice(-bounds.maxLinkMarks)
        changed = true
      }
      for (const itemId of itemsTouchedBy(recorded)) {
        const next = itemTimelineAfter(items.get(itemId), recorded, itemId, bounds)
        if (next === null) continue
        items.set(itemId, next)
        changed = true
      }
      if (!changed) return
      version += 1
      notify()
    },
    get,
    set,
    update: (change) => set(change(get())),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
