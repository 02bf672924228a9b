import { useMemo, useState } from 'react'
import { useSelector } from 'react-redux'
import type { WithWorkflowExecution } from '../../../src'
import { useActiveItemId } from '../../../src/react'
import { createNaiveComparer, DIFFERENCE_KINDS, type DifferenceKind } from '../naive/compare'
import { usePage } from '../session/context'
import { useObservable } from '../session/observable'

const KIND_LABELS: Record<DifferenceKind, string> = {
  stuck_in_progress: 'nodes stuck in progress',
  node_status: 'node statuses that differ',
  item_status: 'item statuses that differ',
  image_missing: 'images missing',
  image_duplicate: 'images shown twice',
  image_extra: 'images the server did not keep',
  stale_current: 'current run older than the engine’s',
}

/** How many differences the short list shows. */
const SHOWN_DIFFERENCES = 12

/**
 * The same socket also drives a naive client, a UI without the engine: what it would show beside what
 * the engine shows, and every settled fact where they part.
 */
export function NaivePanel() {
  const { session } = usePage()
  const naive = useObservable(session.naive)
  const engineGallery = useObservable(session.gallery)
  const slice = useSelector((state: WithWorkflowExecution) => state.workflowExecution)
  const engine = useMemo(() => ({ workflowExecution: slice }), [slice])
  const activeItemId = useActiveItemId()
  // Its inputs change at most once a frame (frame-batched), and it recomputes only the items that changed.
  const [compare] = useState(createNaiveComparer)
  const comparison = useMemo(
    () => compare({ naive, engine, engineGallery, engineActiveItemId: activeItemId }),
    [compare, naive, engine, engineGallery, activeItemId],
  )
  const sides = [
    ['images', 'gallery images since load', comparison.naive.images, comparison.engine.images],
    ['in-progress', 'nodes in progress', comparison.naive.nodesInProgress, comparison.engine.nodesInProgress],
    [
      'current',
      'current item',
      comparison.naive.currentItemId ?? '—',
      comparison.engine.currentItemId ?? '—',
    ],
  ] as const
  return (
    <section
      className="panel naive"
      data-testid="naive-panel"
      data-differences={comparison.total}
      data-compared={comparison.compared}
      data-running={comparison.running}
    >
      <h2>
        Naive client vs engine <span className="muted">{comparison.total} differences</span>
      </h2>
      <p className="muted">
        Same socket, no engine: every event trusted in arrival order. Items are compared once the engine
        settles them ({comparison.compared} compared, {comparison.running} still running).
      </p>
      <table className="naive-sides">
        <thead>
          <tr>
            <th />
            <th>naive</th>
            <th>engine</th>
          </tr>
        </thead>
        <tbody>
          {sides.map(([key, label, naiveValue, engineValue]) => (
            <tr key={key} data-testid={`naive-side-${key}`} data-naive={naiveValue} data-engine={engineValue}>
              <th>{label}</th>
              <td className={naiveValue === engineValue ? undefined : 'naive-off'}>{naiveValue}</td>
              <td>{engineValue}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="naive-kinds">
        {DIFFERENCE_KINDS.map((kind) => (
          <li
            key={kind}
            data-testid={`naive-diff-${kind}`}
            data-count={comparison.totals[kind]}
            className={comparison.totals[kind] > 0 ? 'naive-off' : 'muted'}
          >
            {KIND_LABELS[kind]}: {comparison.totals[kind]}
          </li>
        ))}
      </ul>
      {comparison.differences.length > 0 ? (
        <ul className="log naive-list">
          {comparison.differences.slice(0, SHOWN_DIFFERENCES).map((difference, index) => (
            <li key={index} data-kind={difference.kind} data-item-id={difference.itemId}>
              <span className="queue-id">#{difference.itemId}</span> {difference.kind}
              {difference.nodeId ? <code> {difference.nodeId.slice(0, 8)}</code> : null}{' '}
              <span className="muted">{difference.detail}</span>
            </li>
          ))}
          {comparison.differences.length > SHOWN_DIFFERENCES ? (
            <li className="muted">…and {comparison.differences.length - SHOWN_DIFFERENCES} more</li>
          ) : null}
        </ul>
      ) : null}
    </section>
  )
}
