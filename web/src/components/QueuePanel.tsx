import { useMemo } from 'react'
import { useQueueItemExecution, useQueueItemIds } from '../../../src/react'
import { StatusBadge } from './StatusBadge'

interface Selection {
  selectedId: number | undefined
  onSelect: (itemId: number) => void
}

function QueueRow({ itemId, selectedId, onSelect }: Selection & { itemId: number }) {
  const item = useQueueItemExecution(itemId)
  const status = item?.status ?? null
  return (
    <li>
      <button
        type="button"
        className={itemId === selectedId ? 'queue-item selected' : 'queue-item'}
        data-testid={`queue-item-${itemId}`}
        data-status={status ?? 'unknown'}
        aria-pressed={itemId === selectedId}
        onClick={() => onSelect(itemId)}
      >
        <span className="queue-id">#{itemId}</span>
        <StatusBadge status={status} />
        <span className="muted">{item?.origin ?? ''}</span>
      </button>
    </li>
  )
}

/** Every item the engine tracks, newest first; a click shows that item's nodes. */
export function QueuePanel({
  selectedId,
  onSelect,
  following,
  onFollow,
}: Selection & {
  following: boolean
  onFollow: () => void
}) {
  const ids = useQueueItemIds()
  const newestFirst = useMemo(() => [...ids].reverse(), [ids])
  return (
    <section className="panel" data-testid="queue">
      <header className="panel-header">
        <h2>Queue</h2>
        <button type="button" data-testid="follow-button" disabled={following} onClick={onFollow}>
          Follow live run
        </button>
      </header>
      {newestFirst.length === 0 ? <p className="muted">No items yet.</p> : null}
      <ul className="queue">
        {newestFirst.map((id) => (
          <QueueRow key={id} itemId={id} selectedId={selectedId} onSelect={onSelect} />
        ))}
      </ul>
    </section>
  )
}
