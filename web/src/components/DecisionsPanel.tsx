import { useMemo } from 'react'
import { useSelector } from 'react-redux'
import { selectQueueItemExecution, type DecisionEntry, type WithWorkflowExecution } from '../../../src'
import { useQueueItemIds, useRecentDecisions } from '../../../src/react'
import { useObservable } from '../session/observable'
import { usePage } from '../session/context'

/** Items shown per list, newest first: each row subscribes to its item, so a flood must not mount thousands. */
const MAX_ITEMS_SHOWN = 30

interface RuleCount {
  rule: string
  count: number
  events: string[]
}

function ignoredByRule(decisions: readonly DecisionEntry[]): RuleCount[] {
  const byRule = new Map<string, RuleCount>()
  for (const { rule, event, applied } of decisions) {
    if (applied) continue
    const entry = byRule.get(rule) ?? { rule, count: 0, events: [] }
    entry.count += 1
    if (!entry.events.includes(event)) entry.events.push(event)
    byRule.set(rule, entry)
  }
  return [...byRule.values()]
}

function IgnoredRow({ itemId }: { itemId: number }) {
  const decisions = useRecentDecisions(itemId)
  const rules = useMemo(() => ignoredByRule(decisions), [decisions])
  const total = rules.reduce((sum, rule) => sum + rule.count, 0)
  return (
    <li data-testid={`decisions-${itemId}`} data-ignored={total}>
      <span className="queue-id">#{itemId}</span>
      {rules.length === 0 ? <span className="muted">nothing ignored</span> : null}
      {rules.map(({ rule, count, events }) => (
        <span key={rule} className="rule" title={events.join(', ')} data-rule={rule}>
          {rule} ×{count} <span className="muted">{events.join(', ')}</span>
        </span>
      ))}
    </li>
  )
}

function ReconciliationRow({ itemId }: { itemId: number }) {
  const record = useSelector(
    (state: WithWorkflowExecution) => selectQueueItemExecution(state, itemId)?.reconciliation,
  )
  if (!record || record.phase === 'idle') return null
  return (
    <li data-testid={`reconciliation-${itemId}`} data-phase={record.phase}>
      <span className="queue-id">#{itemId}</span>
      <span className={`badge badge-${record.phase}`}>{record.phase}</span>
      {record.snapshotStatus ? <span>server says {record.snapshotStatus}</span> : null}
      {record.attempts > 0 ? <span className="muted">{record.attempts} failed attempt(s)</span> : null}
      {record.lastError ? <span className="error-inline">{record.lastError}</span> : null}
    </li>
  )
}

function RejectedList() {
  const { session } = usePage()
  const rejections = useObservable(session.rejections)
  if (rejections.length === 0) return <p className="muted">No payload rejected.</p>
  return (
    <ul className="log">
      {rejections.map((rejection) => (
        <li key={rejection.seq} data-testid="rejected" data-event={rejection.event}>
          <span className="muted">{rejection.receivedAt}</span> <strong>{rejection.event}</strong>
          <ul>
            {rejection.issues.map((issue, index) => (
              <li key={index}>
                <code>{issue.path || '(payload)'}</code> {issue.message}
              </li>
            ))}
          </ul>
          <pre>{rejection.preview}</pre>
        </li>
      ))}
    </ul>
  )
}

/** Why the state is what it is: ignored events by rule, reconciliations, and payloads that failed their schema. */
export function DecisionsPanel() {
  const ids = useQueueItemIds()
  const newestFirst = useMemo(() => ids.slice(-MAX_ITEMS_SHOWN).reverse(), [ids])
  return (
    <section className="panel decisions" data-testid="decisions">
      <h2>Decisions</h2>
      {ids.length > MAX_ITEMS_SHOWN ? (
        <p className="muted small" data-testid="decisions-bounded">
          the newest {MAX_ITEMS_SHOWN} of {ids.length} items
        </p>
      ) : null}
      <h3>Ignored events (recent, by rule)</h3>
      <ul className="log">
        {newestFirst.map((id) => (
          <IgnoredRow key={id} itemId={id} />
        ))}
      </ul>
      <h3>Reconciliations</h3>
      <ul className="log">
        {newestFirst.map((id) => (
          <ReconciliationRow key={id} itemId={id} />
        ))}
      </ul>
      <h3>Rejected payloads</h3>
      <RejectedList />
    </section>
  )
}
