import { itemOf } from './items'
import { getOwn, withKey } from '../model/records'
import type { Decision, ModelEvent, QueueItemExecution } from '../model/types'
import type { WorkflowExecutionState } from './state'

/** `started_at` as a number; the server writes `2026-08-19 10:15:02.104` (UTC), maybe with a `T`. */
function startedAtMs(item: QueueItemExecution | undefined): number | null {
  if (!item?.startedAt) return null
  const ms = Date.parse(`${item.startedAt.trim().replace(' ', 'T').replace(/Z?$/, 'Z')}`)
  return Number.isNaN(ms) ? null : ms
}

/**
 * The "current run" of an origin is the item the server started last. An in_progress event makes its
 * item current unless the current one is known to have started later (a late event of an older run);
 * any other status event or snapshot makes its item current only on that evidence (`started_at`).
 */
export function nextActiveItems(
  state: WorkflowExecutionState,
  item: QueueItemExecution,
  event: ModelEvent,
  decision: Decision,
): WorkflowExecutionState['activeItemIdByOrigin'] {
  const active = state.activeItemIdByOrigin
  if (item.origin === null || !decision.applied) return active
  const wentInProgress = event.kind === 'status' && event.status === 'in_progress'
  // A status event or snapshot that carries `started_at` is evidence of when the item started.
  if (event.kind !== 'status' && event.kind !== 'snapshot') return active
  const currentId = getOwn(active, item.origin)
  if (currentId === item.itemId) return active
  const current = currentId === undefined ? undefined : itemOf(state.items, currentId)
  const mine = startedAtMs(item)
  const theirs = startedAtMs(current)
  const becomesActive =
    current === undefined
      ? wentInProgress || mine !== null
      : mine !== null && theirs !== null
        ? mine >= theirs
        : // Without both start times, arrival order is all there is.
          wentInProgress
  return becomesActive ? withKey(active, item.origin, item.itemId) : active
}
