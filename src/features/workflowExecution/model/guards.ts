import type { GuardId } from './rules'
import type { ModelEvent, QueueItemExecution, TransitionContext } from './types'

type Guard = (item: QueueItemExecution, event: ModelEvent, context: TransitionContext) => boolean

function requestIdOf(event: ModelEvent): string | null {
  return 'requestId' in event ? event.requestId : null
}

export const GUARDS: Readonly<Record<GuardId, Guard>> = {
  evicted: (_item, _event, context) => context.evicted === true,
  redacted: (_item, event) => 'redacted' in event && event.redacted,
  requestStale: (item, event) => requestIdOf(event) !== item.reconciliation.requestId,
  snapshotOlder: (item, event) => {
    if (event.kind !== 'snapshot') return false
    const sequence = event.snapshot.status_sequence
    return sequence != null && item.statusSequence !== null && sequence < item.statusSequence
  },
  sequenceNotNewer: (item, event) =>
    event.kind === 'status' &&
    event.statusSequence !== null &&
    item.statusSequence !== null &&
    event.statusSequence <= item.statusSequence,
}
