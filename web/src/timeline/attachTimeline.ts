import type { ExecutionStore } from '../../../src'
import type { Observable } from '../session/observable'
import type { TimelineLimits, TimelineState } from './timeline'
import { createTimelineStore } from './timelineStore'

export interface TimelineRecorder {
  state: Observable<TimelineState>
  detach(): void
}

/**
 * Records every engine action into the timeline: a listener sees the state before and after each one,
 * which is all the timeline needs (the decisions the item's ring gained, its reconciliation, its nodes).
 * The store does constant work per action (timelineStore.ts): it runs on every action of a flood.
 *
 * It records in the listener's predicate, which always answers false: an effect would cost the listener
 * middleware an AbortController, its abort and a promise per action, more than the recording itself. The
 * predicate runs exactly where the effect would start (after the listeners before it, and the actions they
 * dispatched), so the store's state then is what the effect's `getState()` would read.
 */
export function attachTimeline(
  store: Pick<ExecutionStore, 'startListening' | 'getState'>,
  options: { limits?: TimelineLimits; now?: () => number } = {},
): TimelineRecorder {
  const state = createTimelineStore(options.limits)
  const now = options.now ?? Date.now
  const detach = store.startListening({
    predicate: (action, _current, before) => {
      state.record({ action, before, after: store.getState(), t: now() })
      return false
    },
    effect: () => undefined,
  })
  return { state, detach }
}
