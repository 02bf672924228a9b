import { useMemo } from 'react'
import { useQueueItemExecution, useQueueItemIds } from '../../../src/react'
import { clipText } from '../format/preview'
import { useWindowedList } from '../hooks/useWindowedList'
import { OwnerTag, ownerOf, useCurrentUserId } from './OwnerTag'
import { StatusBadge } from './StatusBadge'

/** Rows are this tall, and the list this tall at most (px): a flood of items renders the same few rows. */
const ROW_HEIGHT = 34
const LIST_HEIGHT = 12 * ROW_HEIGHT
const OVERSCAN = 4
const MAX_ORIGIN_CHARS = 40

interface Selection {
  selectedId: number | undefined
  onSelect: (itemId: number) => void
}

function QueueRow({ itemId, selectedId, onSelect }: Selection & { itemId: number }) {
  const item = useQueueItemExecution(itemId)
  const status = item?.status ?? null
  const userId = item?.userId ?? null
  const owner = ownerOf(userId, useCurrentUserId())
  return (
    <li style={{ height: ROW_HEIGHT, overflow: 'hidden' }}>
      <button
        type="button"
        className={itemId === selectedId ? 'queue-item selected' : 'queue-item'}
        data-testid={`queue-item-${itemId}`}
        data-status={status ?? 'unknown'}
        data-owner={owner}
        aria-pressed={itemId === selectedId}
        onClick={() => onSelect(itemId)}
      >
        <span className="queue-id">#{itemId}</span>
        <StatusBadge status={status} />
        <span className="muted">{clipText(item?.origin ?? '', MAX_ORIGIN_CHARS)}</span>
        <OwnerTag owner={owner} userId={userId} />
      </button>
    </li>
  )
}

/** Every item the engine tracks, newest first, windowed: only the rows in view are rendered. */
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
  const list = useWindowedList({
    count: newestFirst.length,
    rowHeight: ROW_HEIGHT,
    maxHeight: LIST_HEIGHT,
    overscan: OVERSCAN,
  })
  return (
    <section className="panel" data-testid="queue" data-count={newestFirst.length}>
      <header className="panel-header">
        <h2>Queue</h2>
        <button type="button" data-testid="follow-button" disabled={following} onClick={onFollow}>
          Follow live run
        </button>
      </header>
      {newestFirst.length === 0 ? <p className="muted">No items yet.</p> : null}
      <div style={list.viewportStyle} onScroll={list.onScroll} data-testid="queue-viewport">
        <div style={list.contentStyle}>
          <ul className="queue" style={{ ...list.rowsStyle, maxHeight: 'none', overflow: 'visible' }}>
            {newestFirst.slice(list.start, list.end).map((id) => (
              <QueueRow key={id} itemId={id} selectedId={selectedId} onSelect={onSelect} />
            ))}
          </ul>
        </div>
      </div>
    </section>
  )
}
