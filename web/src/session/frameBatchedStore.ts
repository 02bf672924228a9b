import type { Store } from '@reduxjs/toolkit'

/** Longest wait for a frame: a hidden tab gets no animation frames, and still shows current state. */
const MAX_WAIT_MS = 100

type Subscribe = (listener: () => void) => () => void

// Where there are no frames (a test's DOM without them), the timer alone batches.
const hasFrames = () => typeof requestAnimationFrame === 'function'

/**
 * `subscribe` whose listeners hear of any number of changes once per animation frame: however many
 * events a frame brings (a flood of 2,000 socket events a second), React renders once for them, not once
 * per event. The source is subscribed to while anyone listens.
 */
export function frameBatchedSubscribe(subscribe: Subscribe): Subscribe {
  const listeners = new Set<() => void>()
  const pending = { frame: 0, timer: undefined as ReturnType<typeof setTimeout> | undefined }
  const source = { unsubscribe: null as (() => void) | null }
  const cancel = () => {
    if (hasFrames()) cancelAnimationFrame(pending.frame)
    clearTimeout(pending.timer)
    pending.timer = undefined
  }
  const flush = () => {
    cancel()
    for (const listener of [...listeners]) listener()
  }
  const schedule = () => {
    if (pending.timer !== undefined) return
    if (hasFrames()) pending.frame = requestAnimationFrame(flush)
    pending.timer = setTimeout(flush, MAX_WAIT_MS)
  }
  return (listener) => {
    listeners.add(listener)
    source.unsubscribe ??= subscribe(schedule)
    return () => {
      listeners.delete(listener)
      if (listeners.size > 0 || !source.unsubscribe) return
      source.unsubscribe()
      source.unsubscribe = null
      cancel()
    }
  }
}

/**
 * The store as the page's components subscribe to it, frame-batched (frameBatchedSubscribe). Dispatch,
 * getState and everything else are the store's own; the engine's listeners still run on every action.
 */
export function frameBatchedStore<S extends Store>(store: S): S {
  const subscribe = frameBatchedSubscribe((listener) => store.subscribe(listener))
  return new Proxy(store, {
    get: (target, key, receiver) => (key === 'subscribe' ? subscribe : Reflect.get(target, key, receiver)),
  })
}
