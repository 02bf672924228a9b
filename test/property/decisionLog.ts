import type { DecisionEntry, QueueItemExecution, WorkflowExecutionState } from '../../src'
import { itemOf } from '../../src/features/workflowExecution'
import { recentDecisions } from '../../src/features/workflowExecution/model/decisions'

/*
 * Every decision of every item as it is taken: an item keeps only its last 16, and a failing case needs
 * the whole story (which rows decided, and where a new run replaced the entity).
 */

export interface LoggedDecision extends DecisionEntry {
  /** The session the item stood for after the decision. */
  sessionId: string | null
  /** Position among every item's decisions. */
  seq: number
}

export type DecisionLog = Map<number, LoggedDecision[]>

export function recordDecisions(store: {
  getState: () => { workflowExecution: WorkflowExecutionState }
  subscribe: (listener: () => void) => () => void
}): DecisionLog {
  const log: DecisionLog = new Map()
  const seen = new Map<number, QueueItemExecution>()
  let seq = 0
  let items = store.getState().workflowExecution.items
  store.subscribe(() => {
    const now = store.getState().workflowExecution.items
    if (now === items) return
    items = now
    for (const id of now.ids) {
      const item = itemOf(now, id) as QueueItemExecution
      const before = seen.get(id)
      if (item === before) continue
      seen.set(id, item)
      // A replaced entity keeps its ring, so the count goes on across runs under the id.
      const fresh = item.decisions.total - (before?.decisions.total ?? 0)
      if (fresh <= 0) continue
      const entries = log.get(id) ?? []
      for (const entry of recentDecisions(item.decisions).slice(-fresh))
        entries.push({ ...entry, sessionId: item.sessionId, seq: seq++ })
      log.set(id, entries)
    }
  })
  return log
}

/** The rule ids every item's events were decided by, oldest first (✗: ignored; [session]: replaced). */
export function describeDecisions(log: DecisionLog): string {
  return [...log]
    .map(
      ([itemId, entries]) =>
        `  item ${itemId}: ` +
        entries
          .map((entry, index) => {
            const replaced = index > 0 && entries[index - 1]?.sessionId !== entry.sessionId
            const rule = `${entry.rule}${entry.applied ? '' : '✗'} ${entry.event}`
            return replaced ? `[${entry.sessionId}] ${rule}` : rule
          })
          .join(', '),
    )
    .join('\n')
}
