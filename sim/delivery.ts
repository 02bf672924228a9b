// How one client receives the server's events: in order, doubled like 6.12-6.13, and optionally
// through seeded chaos (drop, duplicate, reorder in a window, delay, disconnect).
//
// Determinism: every random decision is drawn synchronously, in event order, from a per-client PRNG,
// and delays never reorder. So the same seed and the same emitted events give the same delivered
// sequence, as long as the flush points match: a window is flushed at each item's terminal status
// (and `queue_cleared`), or after `idleFlushMs` without events (CHAOS_IDLE_FLUSH_MS by default).
import { createRandom, mixSeed, pickIndex } from './random'
import type { Timers } from './timers'
import type { DeliveryOptions } from './types'

export interface WireEvent {
  name: string
  payload: object
}

export interface Sink {
  emit(event: WireEvent): void
  disconnect(): void
}

export interface Pipeline {
  /** `boundary`: the event ends an item's run (terminal status) or the queue (cleared). */
  push(event: WireEvent, boundary: boolean): void
  /** A boundary this client gets no event for (another user's run ended): release what is held. */
  flush(): void
  /** Delivers everything still held, in order, right now (before options change). */
  drain(): void
  destroy(): void
}

const PAIR_FLUSH_MS = 20
/** How long a chaos window waits without events before it lets its events out. */
export const CHAOS_IDLE_FLUSH_MS = 250

/** The 6.12-6.13 second copy: identical, except a progress event loses its image. */
function secondCopy(event: WireEvent): WireEvent {
  if (event.name !== 'invocation_progress') return event
  return { name: event.name, payload: { ...event.payload, image: null } }
}

export function createPipeline(
  options: DeliveryOptions,
  ordinal: number,
  sink: Sink,
  timers: Timers,
  idleFlushMs = CHAOS_IDLE_FLUSH_MS,
): Pipeline {
  const chaos = options.chaos
  const random = chaos ? createRandom(mixSeed(chaos.seed, ordinal)) : null
  const state = {
    held: null as WireEvent | null,
    pairTimer: null as NodeJS.Timeout | null,
    window: [] as WireEvent[],
    idleTimer: null as NodeJS.Timeout | null,
    outbox: [] as { at: number; event: WireEvent; disconnect: boolean }[],
    lastAt: 0,
    pumpTimer: null as NodeJS.Timeout | null,
    destroyed: false,
  }

  const deliver = (event: WireEvent, disconnect: boolean) => {
    if (state.destroyed) return
    sink.emit(event)
    if (disconnect) sink.disconnect()
  }

  const pump = () => {
    state.pumpTimer = null
    const now = Date.now()
    while (state.outbox.length > 0 && (state.outbox[0]?.at ?? 0) <= now) {
      const next = state.outbox.shift()
      if (next) deliver(next.event, next.disconnect)
    }
    const head = state.outbox[0]
    if (head) state.pumpTimer = timers.after(Math.max(0, head.at - now), pump)
  }

  // Last chaos stage: latency that never overtakes an earlier event, then an optional disconnect.
  const release = (event: WireEvent) => {
    const delay = chaos && random && chaos.maxDelayMs > 0 ? random() * chaos.maxDelayMs : 0
    const disconnect = !!(
      chaos &&
      random &&
      (chaos.disconnectRate ?? 0) > 0 &&
      random() < (chaos.disconnectRate ?? 0)
    )
    const now = Date.now()
    const at = Math.max(state.lastAt, now + delay)
    state.lastAt = at
    if (at <= now && state.outbox.length === 0) return deliver(event, disconnect)
    state.outbox.push({ at, event, disconnect })
    if (!state.pumpTimer) state.pumpTimer = timers.after(Math.max(0, at - now), pump)
  }

  const flushWindow = () => {
    timers.cancel(state.idleTimer)
    state.idleTimer = null
    while (state.window.length > 0) {
      const [event] = state.window.splice(random ? pickIndex(random, state.window.length) : 0, 1)
      if (event) release(event)
    }
  }

  const chaosIn = (event: WireEvent) => {
    if (!chaos || !random) return deliver(event, false)
    const drop = random() < chaos.dropRate
    const duplicate = random() < chaos.duplicateRate
    if (drop) return
    for (const copy of duplicate ? [event, event] : [event]) {
      if (chaos.reorderWindow <= 1) {
        release(copy)
        continue
      }
      state.window.push(copy)
      if (state.window.length >= chaos.reorderWindow) {
        const [out] = state.window.splice(pickIndex(random, state.window.length), 1)
        if (out) release(out)
      }
    }
    timers.cancel(state.idleTimer)
    state.idleTimer = state.window.length > 0 ? timers.after(idleFlushMs, flushWindow) : null
  }

  const releaseHeld = () => {
    timers.cancel(state.pairTimer)
    state.pairTimer = null
    const held = state.held
    state.held = null
    if (held) {
      chaosIn(held)
      chaosIn(secondCopy(held))
    }
  }

  return {
    push(event, boundary) {
      if (state.destroyed) return
      if (options.mode === 'double') {
        const held = state.held
        if (held) {
          // A, B, A, B: the pair goes out together, each event followed by its copy one event later.
          timers.cancel(state.pairTimer)
          state.held = null
          state.pairTimer = null
          chaosIn(held)
          chaosIn(event)
          chaosIn(secondCopy(held))
          chaosIn(secondCopy(event))
        } else if (boundary) {
          chaosIn(event)
          chaosIn(secondCopy(event))
        } else {
          state.held = event
          state.pairTimer = timers.after(PAIR_FLUSH_MS, releaseHeld)
        }
      } else {
        chaosIn(event)
      }
      if (boundary) flushWindow()
    },

    flush() {
      if (state.destroyed) return
      releaseHeld()
      flushWindow()
    },

    drain() {
      releaseHeld()
      flushWindow()
      timers.cancel(state.pumpTimer)
      state.pumpTimer = null
      const outbox = state.outbox.splice(0)
      outbox.forEach((entry) => deliver(entry.event, entry.disconnect))
    },

    destroy() {
      state.destroyed = true
      for (const timer of [state.pairTimer, state.idleTimer, state.pumpTimer]) timers.cancel(timer)
      state.window = []
      state.outbox = []
      state.held = null
    },
  }
}
