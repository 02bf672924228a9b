import { useMemo, useSyncExternalStore } from 'react'
import { frameBatchedSubscribe } from './frameBatchedStore'

/** A value outside Redux that components can subscribe to: for what the engine's state does not hold. */
export interface Observable<T> {
  get(): T
  set(next: T): void
  update(change: (current: T) => T): void
  subscribe(listener: () => void): () => void
}

export function createObservable<T>(initial: T): Observable<T> {
  const listeners = new Set<() => void>()
  const box = { value: initial }
  const set = (next: T) => {
    if (Object.is(next, box.value)) return
    box.value = next
    for (const listener of [...listeners]) listener()
  }
  return {
    get: () => box.value,
    set,
    update: (change) => set(change(box.value)),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

/** The observable's value; the component re-renders at most once per frame, however often it changes. */
export function useObservable<T>(observable: Observable<T>): T {
  const subscribe = useMemo(() => frameBatchedSubscribe(observable.subscribe), [observable])
  return useSyncExternalStore(subscribe, observable.get)
}
