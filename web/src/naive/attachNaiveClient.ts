import type { SocketEventName, SocketLike, SocketListener } from '../../../src'
import type { Observable } from '../session/observable'
import { createNaiveState, type NaiveLimits, type NaiveState } from './naiveClient'
import { createNaiveStore } from './naiveStore'

/** Every InvokeAI event the engine binds: a record, so the compiler says when the wire gains one. */
const EVENT_NAMES: Record<SocketEventName, true> = {
  queue_item_status_changed: true,
  invocation_started: true,
  invocation_progress: true,
  invocation_complete: true,
  invocation_error: true,
  batch_enqueued: true,
  queue_cleared: true,
  queue_items_canceled: true,
  queue_items_retried: true,
}

export interface NaiveClient {
  state: Observable<NaiveState>
  /** Forgets everything, as a page without the engine does on an account switch (it reloads). */
  reset(): void
  detach(): void
}

/** The naive client on the engine's own socket: it sees exactly what the engine sees, in the same order. */
export function attachNaiveClient(socket: SocketLike, limits: NaiveLimits): NaiveClient {
  // O(1) per event: the flood's 2,000 new items a second must not copy every item held for each one.
  const state = createNaiveStore(limits)
  const handlers = Object.keys(EVENT_NAMES).map((event): [string, SocketListener] => [
    event,
    (payload: unknown) => state.apply({ event, payload }),
  ])
  for (const [event, handler] of handlers) socket.on(event, handler)
  return {
    state,
    reset: () => state.set(createNaiveState(limits)),
    detach() {
      for (const [event, handler] of handlers) socket.off(event, handler)
    },
  }
}
