import { GUARDS } from './guards'
import { trieGet } from './structures/hashTrie'
import { ALL_EVENTS, RULES, type Rule } from './rules'
import { QUEUE_STATUSES } from './statuses'
import type {
  CopyState,
  Decision,
  EventKey,
  ModelEvent,
  QueueItemExecution,
  QueueState,
  TransitionContext,
} from './types'
import { isTerminalStatus } from './snapshot'

export function eventKeyOf(event: ModelEvent): EventKey {
  switch (event.kind) {
    case 'status':
      return `status:${event.status}`
    case 'invocation':
      return event.phase
    case 'progress_state':
      return 'progress_state'
    case 'cancel':
      return 'cancel'
    case 'reconcile_requested':
      return 'reconcile_requested'
    case 'snapshot':
      return isTerminalStatus(event.snapshot.status) ? 'snapshot:terminal' : 'snapshot:active'
    case 'snapshot_gone':
      return 'snapshot:gone'
    case 'reconcile_failed':
      return 'reconcile_failed'
    case 'reconcile_aborted':
      return 'reconcile_aborted'
    case 'hydrated':
      return isTerminalStatus(event.snapshot.status) ? 'hydrated:terminal' : 'hydrated:active'
    case 'settle':
      return 'settle'
    case 'deliver':
      return 'deliver'
  }
}

export function queueStateOf(item: QueueItemExecution): QueueState {
  return item.status ?? 'none'
}

export function copyStateOf(item: QueueItemExecution, event: ModelEvent): CopyState {
  if (event.kind !== 'invocation' && event.kind !== 'deliver') return 'unknown'
  return trieGet(item.copies, event.preparedId)?.status ?? 'unknown'
}

export function matches(rule: Rule, key: EventKey, queue: QueueState, copy: CopyState): boolean {
  return (
    rule.events.includes(key) &&
    (rule.queue === undefined || rule.queue.includes(queue)) &&
    (rule.copy === undefined || rule.copy.includes(copy))
  )
}

/**
 * The table, precompiled: for each (event, queue status, copy status) the rows that match it, in table
 * order. Built once, at import, from RULES itself; a lookup replaces a scan of every row.
 */
const ROWS_BY_KEY: ReadonlyMap<
  EventKey,
  ReadonlyMap<QueueState, ReadonlyMap<CopyState, readonly Rule[]>>
> = (() => {
  const queues: QueueState[] = ['none', ...QUEUE_STATUSES]
  const copies: CopyState[] = ['unknown', 'in_progress', 'completed', 'failed', 'canceled']
  const byKey = new Map<EventKey, Map<QueueState, Map<CopyState, Rule[]>>>()
  for (const key of ALL_EVENTS) {
    const byQueue = new Map<QueueState, Map<CopyState, Rule[]>>()
    for (const queue of queues) {
      const byCopy = new Map<CopyState, Rule[]>()
      for (const copy of copies)
        byCopy.set(
          copy,
          RULES.filter((rule) => matches(rule, key, queue, copy)),
        )
      byQueue.set(queue, byCopy)
    }
    byKey.set(key, byQueue)
  }
  return byKey
})()

/** The first row of the table that matches decides. The table is total: a test walks every pair. */
export function decide(
  item: QueueItemExecution,
  event: ModelEvent,
  context: TransitionContext = {},
): Decision & { row: Rule } {
  const key = eventKeyOf(event)
  const queue = queueStateOf(item)
  const copy = copyStateOf(item, event)
  for (const rule of ROWS_BY_KEY.get(key)?.get(queue)?.get(copy) ?? []) {
    if (rule.guard && !GUARDS[rule.guard](item, event, context)) continue
    return { applied: rule.apply, rule: rule.id, row: rule }
  }
  throw new Error(`rule table has no row for ${key} with queue ${queue} and copy ${copy}`)
}
