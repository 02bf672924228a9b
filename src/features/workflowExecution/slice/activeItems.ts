import { itemOf, itemsOf } from './items'
import { decideCurrentRun, isForeignItem, startedAtMs } from '../model/currentRun'
import { draftRecord, finishRecord, getOwn, withKey } from '../model/records'
import type { CurrentRunRuleId, Decision, IdRecord, ModelEvent, QueueItemExecution } from '../model/types'
import type { WorkflowExecutionState } from './state'

/** Whether an applied event is evidence that its item runs or of when it started. */
function evidenceOf(
  event: ModelEvent,
  decision: Decision,
  before: QueueItemExecution | undefined,
): { wentInProgress: boolean; inferred: boolean } | null {
  if (!decision.applied) return null
  switch (event.kind) {
    case 'status':
      return { wentInProgress: event.status === 'in_progress', inferred: false }
    case 'invocation':
      return decision.rule === 'I4' ? { wentInProgress: true, inferred: true } : null
    case 'progress_state': {
      // As I4: the snapshot is evidence only for an item not known to run.
      const wasIdle = before?.status == null || before.status === 'pending'
      return wasIdle ? { wentInProgress: true, inferred: true } : null
    }
    case 'snapshot':
      return { wentInProgress: false, inferred: false }
    case 'hydrated':
      return { wentInProgress: event.snapshot.status === 'in_progress', inferred: false }
    default:
      return null
  }
}

/**
 * The current run of each origin after one event: the rows of model/currentRun.ts decide, and the row
 * that decided is returned so the item can record it.
 */
export function nextActiveItems(
  state: WorkflowExecutionState,
  before: QueueItemExecution | undefined,
  item: QueueItemExecution,
  event: ModelEvent,
  decision: Decision,
): {
  active: WorkflowExecutionState['activeItemIdByOrigin']
  rule: CurrentRunRuleId | null
  becomes: boolean
} {
  const active = withoutReplacedRun(state, before, item)
  if (item.origin === null) return { active, rule: null, becomes: false }
  const currentId = getOwn(active, item.origin)
  if (currentId === item.itemId) {
    // What the current run says of itself can show that another item started after it (A3).
    const later = laterStartedRun(state, before, item)
    return later === undefined
      ? { active, rule: null, becomes: false }
      : { active: withKey(active, item.origin, later), rule: 'A3', becomes: false }
  }
  const evidence = evidenceOf(event, decision, before)
  if (evidence === null) return { active, rule: null, becomes: false }
  const current = currentId === undefined ? undefined : itemOf(state.items, currentId)
  const { rule, becomes } = decideCurrentRun(item, current, {
    wentInProgress: evidence.wentInProgress,
    inferred: evidence.inferred,
    currentUserId: state.config.currentUserId,
  })
  if (!becomes) return { active, rule, becomes }
  // The row compared the item with the current run only. Unless both start times were known (A3: a
  // current run with a known start started last of all), a third tracked run may be known to have
  // started after the item: its start time came while the current run's was unknown.
  const later = rule === 'A3' || startedAtMs(item) === null ? undefined : runStartedAfter(state, item)
  return later === undefined
    ? { active: withKey(active, item.origin, item.itemId), rule, becomes }
    : { active: withKey(active, item.origin, later), rule: 'A3', becomes: false }
}

/**
 * An entity replaced by another run under its id (N2, R6, H1) no longer stands for its old origin's
 * current run if the new run is of another origin or another user.
 */
function withoutReplacedRun(
  state: WorkflowExecutionState,
  before: QueueItemExecution | undefined,
  item: QueueItemExecution,
): IdRecord<number> {
  const active = state.activeItemIdByOrigin
  const { currentUserId } = state.config
  if (before === undefined || before.origin === null || getOwn(active, before.origin) !== item.itemId)
    return active
  if (item.origin === before.origin && !isForeignItem(item, currentUserId)) return active
  const kept = draftRecord<number>()
  for (const origin of Object.keys(active))
    if (origin !== before.origin) kept[origin] = active[origin] as number
  // The origin's run that started latest among those still tracked takes over.
  const next = latestRunOf(state, before.origin, item.itemId)
  if (next !== undefined) kept[before.origin] = next
  return finishRecord(kept)
}

/** The tracked item of `origin` (this user's, or without a user) that started last, by `started_at`. */
function latestRunOf(state: WorkflowExecutionState, origin: string, except: number): number | undefined {
  let best: { id: number; at: number } | undefined
  for (const other of itemsOf(state.items)) {
    if (other.itemId === except || other.origin !== origin) continue
    if (isForeignItem(other, state.config.currentUserId)) continue
    const at = startedAtMs(other)
    if (at !== null && (best === undefined || at > best.at)) best = { id: other.itemId, at }
  }
  return best?.id
}

/**
 * Once the current run's start time is learned (or it settles without one, gone from the server), the
 * item of its origin and user that started latest after it, if any: it is the current run.
 */
function laterStartedRun(
  state: WorkflowExecutionState,
  before: QueueItemExecution | undefined,
  item: QueueItemExecution,
): number | undefined {
  const learnedStart = item.startedAt !== null && item.startedAt !== (before?.startedAt ?? null)
  const goneUnstarted = item.startedAt === null && item.settled && !before?.settled
  if (!learnedStart && !goneUnstarted) return undefined
  return runStartedAfter(state, item)
}

/** The tracked item of `item`'s origin and user that started last after it (any, if its start is unknown). */
function runStartedAfter(state: WorkflowExecutionState, item: QueueItemExecution): number | undefined {
  const mine = startedAtMs(item)
  let best: { id: number; at: number } | undefined
  for (const other of itemsOf(state.items)) {
    if (other.itemId === item.itemId || other.origin !== item.origin) continue
    if (isForeignItem(other, state.config.currentUserId)) continue
    const at = startedAtMs(other)
    if (at === null || (mine !== null && at <= mine)) continue
    if (best === undefined || at > best.at) best = { id: other.itemId, at }
  }
  return best?.id
}

/** The current runs without those of another user than `currentUserId` (after a switch of user). */
export function withoutForeignRuns(
  state: WorkflowExecutionState,
  currentUserId: string | null,
): IdRecord<number> {
  const kept = draftRecord<number>()
  let changed = false
  for (const origin of Object.keys(state.activeItemIdByOrigin)) {
    const id = state.activeItemIdByOrigin[origin] as number
    const item = itemOf(state.items, id)
    if (item && isForeignItem(item, currentUserId)) changed = true
    else kept[origin] = id
  }
  return changed ? finishRecord(kept) : state.activeItemIdByOrigin
}
