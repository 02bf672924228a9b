import type { ExecutionStore } from '../../../src'
import { createObservable, type Observable } from '../session/observable'
import { createTimelineState, recordAction, type TimelineLimits, type TimelineState } from './timeline'

export interface TimelineRecorder {
  state: Observable<TimelineState>
  detach(): void
}

/**
 * Records every engine action into the timeline: a listener sees the state before and after each one,
 * which is all the timeline needs (the decisions the item's ring gained, its reconciliation, its nodes).
 */
export function attachTimeline(
  store: Pick<ExecutionStore, 'startListening'>,
  options: { limits?: TimelineLimits; now?: () => number } = {},
): TimelineRecorder {
  const state = createObservable(createTimelineState(options.limits))
  const now = options.now ?? Date.now
  const detach = store.startListening({
    predicate: () => true,
    effect: (action, api) =>
      state.update((current) =>
        recordAction(current, { action, before: api.getOriginalState(), after: api.getState(), t: now() }),
      ),
  })
  return { state, detach }
}
