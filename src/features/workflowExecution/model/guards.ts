import { isDelivered } from './delivery'
import type { GuardId } from './rules'
import { trieGet } from './structures/hashTrie'
import type { ModelEvent, QueueItemExecution, TransitionContext } from './types'

type Guard = (item: QueueItemExecution, event: ModelEvent, context: TransitionContext) => boolean

/** What multi-user servers put in place of other users' ids. */
export const REDACTED = 'redacted'

function requestIdOf(event: ModelEvent): string | null {
  return 'requestId' in event ? event.requestId : null
}

/** The session an event or snapshot speaks for; null when it does not say (or is redacted). */
export function sessionOfEvent(event: ModelEvent): string | null {
  switch (event.kind) {
    case 'status':
    case 'invocation':
    case 'progress_state':
      return event.redacted || event.meta.sessionId === REDACTED ? null : event.meta.sessionId
    case 'snapshot':
    case 'hydrated': {
      const session = event.snapshot.meta.sessionId
      return session === REDACTED ? null : session
    }
    default:
      return null
  }
}

/** Both sessions known and different: another run under the same item id. */
export function isOtherSession(known: string | null | undefined, incoming: string | null): boolean {
  return known != null && known !== REDACTED && incoming !== null && incoming !== known
}

function sequenceOf(event: ModelEvent): number | null | undefined {
  return event.kind === 'snapshot' || event.kind === 'hydrated' ? event.snapshot.statusSequence : undefined
}

export const GUARDS: Readonly<Record<GuardId, Guard>> = {
  evicted: (_item, event, context) =>
    context.evicted === true && !isOtherSession(context.evictedSessionId, sessionOfEvent(event)),
  untracked: (_item, _event, context) => context.untracked === true,
  redacted: (_item, event) =>
    event.kind === 'snapshot'
      ? event.snapshot.meta.userId === REDACTED
      : 'redacted' in event && event.redacted,
  newSession: (item, event, context) =>
    context.untracked !== true && isOtherSession(item.sessionId, sessionOfEvent(event)),
  requestStale: (item, event) => requestIdOf(event) !== item.reconciliation.requestId,
  snapshotOlder: (item, event) => {
    if (event.kind === 'snapshot' && event.trustSequence === true) return false
    const sequence = sequenceOf(event)
    return sequence != null && item.statusSequence !== null && sequence < item.statusSequence
  },
  sequenceNotNewer: (item, event) =>
    event.kind === 'status' &&
    event.statusSequence !== null &&
    item.statusSequence !== null &&
    event.statusSequence <= item.statusSequence,
  // In progress on a copy's word (I4): no in_progress has said when it started (Q6a took duplicates).
  inferredRun: (item) => item.startedAt === null,
  otherQueue: (item, event) => event.kind === 'cancel' && event.queueId !== item.queueId,
  otherUser: (item, event) => {
    if (event.kind !== 'cancel' || event.userId == null) return false
    if (item.userId !== null) return item.userId !== event.userId
    // An item without a user_id (an older server) is the current user's, or everyone's without one.
    return event.currentUserId != null && event.currentUserId !== event.userId
  },
  settled: (item) => item.settled,
  listingPending: (_item, event) => event.kind === 'hydrated' && event.snapshot.status === 'pending',
  listingNotNewer: (item, event) => {
    // An item in progress on a copy's word only (I4): the listing may say when it started, as Q7.
    if (item.startedAt === null) return false
    const sequence = sequenceOf(event)
    // Without both sequences nothing says the listing is newer.
    return sequence == null || item.statusSequence === null || sequence <= item.statusSequence
  },
  unreconciled: (_item, _event, context) => context.reconciles === false,
  awaitsOutput: (item, event) =>
    event.kind === 'invocation' &&
    event.output != null &&
    trieGet(item.copies, event.preparedId)?.output === null,
  // A copy that has no output yet has nothing to deliver; an id without a copy counts as an orphan's, so
  // a persisted result the host already announced is not announced again.
  undelivered: (item, event) => {
    if (event.kind !== 'deliver' || isDelivered(item, event.preparedId)) return false
    const copy = trieGet(item.copies, event.preparedId)
    return copy === undefined || copy.status === 'completed'
  },
}

/**
 * The item a reconnect asks the server about again: not settled, or settled only because its retries ran
 * out (a request the disconnect aborted may not have reported back yet: anything short of 'done').
 */
export function isUnresolved(item: QueueItemExecution): boolean {
  return !item.settled || item.reconciliation.phase !== 'done'
}
