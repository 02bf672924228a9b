import type { CurrentRunRuleId, QueueItemExecution } from './types'

/*
 * Which item is an origin's current run (what the workflow editor follows), as rows with ids like the
 * rule table's. Asked only when an applied event gives evidence that an item runs or when it started: an
 * in_progress, a copy that runs on an item not known to run (I4), a snapshot or a listing with
 * `started_at`. The first row that matches decides.
 */

export interface CurrentRunRow {
  id: CurrentRunRuleId
  /** Whether the item becomes the current run when this row decides. */
  becomes: boolean | 'by start time' | 'by item id'
  why: string
}

// prettier-ignore
export const CURRENT_RUN_RULES: readonly CurrentRunRow[] = [
  { id: 'A1', becomes: false, why: "another user's item: tracked per item, never this user's current run" },
  { id: 'A2', becomes: true, why: 'no current run yet: an item that went in progress, or says when it started, is it' },
  { id: 'A3', becomes: 'by start time', why: 'both start times known: the item that started later is the current run' },
  { id: 'A4', becomes: true, why: 'without both start times, arrival order: an item that goes in progress becomes the current run' },
  { id: 'A5', becomes: false, why: 'no evidence that the item started after the current run' },
  { id: 'A6', becomes: 'by item id', why: "on a copy's word alone (I4), the later-enqueued item is the current run: a late event of an older run must not take the editor back" },
]

export interface CurrentRunEvidence {
  /** The event said the item went in progress (a status, or I4). */
  wentInProgress: boolean
  /** Only a copy's event says so (I4): no status event, no start time. */
  inferred: boolean
  currentUserId: string | null
}

/** `started_at` as a number; the server writes `2026-08-19 10:15:02.104` (UTC), maybe with a `T`. */
export function startedAtMs(item: QueueItemExecution | undefined): number | null {
  if (!item?.startedAt) return null
  const ms = Date.parse(`${item.startedAt.trim().replace(' ', 'T').replace(/Z?$/, 'Z')}`)
  return Number.isNaN(ms) ? null : ms
}

/** An item of another user than the current one (items without a user_id belong to everyone). */
export function isForeignItem(item: QueueItemExecution, currentUserId: string | null): boolean {
  return currentUserId !== null && item.userId !== null && item.userId !== currentUserId
}

/** The row that decides whether `item` becomes the current run instead of `current`. */
export function decideCurrentRun(
  item: QueueItemExecution,
  current: QueueItemExecution | undefined,
  evidence: CurrentRunEvidence,
): { rule: CurrentRunRuleId; becomes: boolean } {
  if (isForeignItem(item, evidence.currentUserId)) return { rule: 'A1', becomes: false }
  const mine = startedAtMs(item)
  if (current === undefined)
    return evidence.wentInProgress || mine !== null
      ? { rule: 'A2', becomes: true }
      : { rule: 'A5', becomes: false }
  const theirs = startedAtMs(current)
  if (mine !== null && theirs !== null) return { rule: 'A3', becomes: mine >= theirs }
  if (evidence.inferred) return { rule: 'A6', becomes: item.itemId > current.itemId }
  return evidence.wentInProgress ? { rule: 'A4', becomes: true } : { rule: 'A5', becomes: false }
}
