import { itemOf } from './items'
import { decideCurrentRun, isForeignItem } from '../model/currentRun'
import { draftRecord, finishRecord, getOwn, withKey } from '../model/records'
import type { CurrentRunRuleId, Decision, IdRecord, ModelEvent, QueueItemExecution } from '../model/types'
import type { WorkflowExecutionState } from './state'

/** Whether an applied event is evidence that its item runs or of when it started. */
function evidenceOf(
  event: ModelEvent,
  decision: Decision,
): { wentInProgress: boolean; inferred: boolean } | null {
  if (!decision.applied) return null
  switch (event.kind) {
    case 'status':
      return { wentInProgress: event.status === 'in_progress', inferred: false }
    case 'invocation':
      return decision.rule === 'I4' ? { wentInProgress: true, inferred: true } : null
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
  item: QueueItemExecution,
  event: ModelEvent,
  decision: Decision,
): {
  active: WorkflowExecutionState['activeItemIdByOrigin']
  rule: CurrentRunRuleId | null
  becomes: boolean
} {
  const active = state.activeItemIdByOrigin
  const evidence = evidenceOf(event, decision)
  if (item.origin === null || evidence === null) return { active, rule: null, becomes: false }
  const currentId = getOwn(active, item.origin)
  if (currentId === item.itemId) return { active, rule: null, becomes: false }
  const current = currentId === undefined ? undefined : itemOf(state.items, currentId)
  const { rule, becomes } = decideCurrentRun(item, current, {
    wentInProgress: evidence.wentInProgress,
    inferred: evidence.inferred,
    currentUserId: state.config.currentUserId,
  })
  return { active: becomes ? withKey(active, item.origin, item.itemId) : active, rule, becomes }
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
