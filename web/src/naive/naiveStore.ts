import { createFirstSeenMap } from '../session/firstSeenMap'
import type { Observable } from '../session/observable'
import {
  createNaiveState,
  naiveStep,
  type NaiveEvent,
  type NaiveImage,
  type NaiveItem,
  type NaiveLimits,
  type NaiveState,
} from './naiveClient'

/**
 * The naive client's state as the page holds it: the same steps as `naiveReducer`, on a bounded mutable
 * store, so an event costs O(1) however many items are held (a flood of 2,000 new items a second). The
 * observable's value is a snapshot built on `get()` only when an event changed something since the last
 * one: React reads it once per frame, so the O(maxItems + maxImages) copy is paid per frame, not per event.
 */
export interface NaiveStore extends Observable<NaiveState> {
  /** One socket event, trusted as the reducer trusts it. */
  apply(event: NaiveEvent): void
}

export function createNaiveStore(limits: NaiveLimits): NaiveStore {
  const listeners = new Set<() => void>()
  // Bounded in first-seen order, O(1) a set: a set on a held id keeps its place.
  let items = createFirstSeenMap<number, NaiveItem>(limits.maxItems)
  // Oldest first; trimmed to maxImages whenever it reaches twice that (amortised O(1) per image).
  let gallery: NaiveImage[] = []
  let currentItemId: number | null = null
  let events = 0
  let version = 0
  let snapshot = { version, state: createNaiveState(limits) }

  const notify = () => {
    for (const listener of [...listeners]) listener()
  }
  const held = (itemId: number) => items.get(itemId)

  const get = (): NaiveState => {
    if (snapshot.version === version) return snapshot.state
    const order = items.keys()
    const state: NaiveState = {
      limits,
      items: Object.fromEntries(order.map((id) => [id, items.get(id) as NaiveItem])),
      order,
      gallery: gallery.slice(-limits.maxImages).reverse(),
      currentItemId,
      events,
    }
    snapshot = { version, state }
    return state
  }

  const set = (next: NaiveState) => {
    if (Object.is(next, get())) return
    items = createFirstSeenMap(
      limits.maxItems,
      next.order.flatMap((id) => (next.items[id] ? [[id, next.items[id]] as const] : [])),
    )
    gallery = [...next.gallery].reverse()
    currentItemId = next.currentItemId
    events = next.events
    version += 1
    snapshot = { version, state: next }
    notify()
  }

  return {
    apply(event) {
      const step = naiveStep(held, event)
      if (step === null) return
      const { itemId, item, imageName } = step
      events += 1
      items.set(itemId, item)
      // Bounded like the engine's page: the oldest item first seen goes.
      if (imageName !== null) {
        gallery.push({ itemId, imageName, seq: events })
        if (gallery.length >= 2 * limits.maxImages) gallery = gallery.slice(-limits.maxImages)
      }
      currentItemId = itemId
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
