import { useQueueItemExecution } from '../../../src/react'
import { ExecutionGraph } from '../graph/ExecutionGraph'
import { ItemStoppedProvider } from '../graph/itemStopped'
import { useItemGraph } from '../hooks/useItemGraph'
import { useServerAction } from '../hooks/useServerAction'
import { usePage } from '../session/context'
import { ErrorText } from './ErrorText'
import { StatusBadge } from './StatusBadge'
import { clipText } from '../format/preview'

/** Characters of a server's text shown: a message of megabytes must not become a page of them. */
const MAX_TEXT_CHARS = 500

const TERMINAL = new Set(['completed', 'failed', 'canceled'])

function CancelButton({ itemId, disabled }: { itemId: number; disabled: boolean }) {
  const { session } = usePage()
  const cancel = useServerAction(session.api.cancel)
  return (
    <>
      <button
        type="button"
        data-testid="cancel-button"
        disabled={disabled || cancel.busy}
        onClick={() => cancel.run(itemId)}
      >
        Cancel item {itemId}
      </button>
      <ErrorText error={cancel.error} />
    </>
  )
}

function RunHeader({ itemId }: { itemId: number }) {
  const item = useQueueItemExecution(itemId)
  const status = item?.status ?? null
  return (
    <header className="run-header">
      <h2>
        Item {itemId} <StatusBadge status={status} />
      </h2>
      <dl className="facts">
        <dt>origin</dt>
        <dd>{clipText(item?.origin ?? '—', MAX_TEXT_CHARS)}</dd>
        <dt>reconciliation</dt>
        <dd>{item?.reconciliation.phase ?? '—'}</dd>
        <dt>settled</dt>
        <dd>{item?.settled ? 'yes' : 'no'}</dd>
        {item && item.orphanOutputs.length > 0 ? (
          <>
            <dt>orphan outputs</dt>
            <dd>{item.orphanOutputs.length}</dd>
          </>
        ) : null}
      </dl>
      {item?.error ? (
        <p className="node-error" data-testid="item-error">
          <strong>{clipText(item.error.error_type, MAX_TEXT_CHARS)}</strong>:{' '}
          {clipText(item.error.error_message, MAX_TEXT_CHARS)}
        </p>
      ) : null}
      <CancelButton itemId={itemId} disabled={status !== null && TERMINAL.has(status)} />
    </header>
  )
}

/** One queue item: its header and its workflow graph, every node live. */
export function RunPanel({ itemId }: { itemId: number | undefined }) {
  if (itemId === undefined) {
    return (
      <section className="panel run" data-testid="run">
        <p className="muted">No run yet: enqueue one, or select an item in the queue.</p>
      </section>
    )
  }
  return <RunOfItem key={itemId} itemId={itemId} />
}

function RunOfItem({ itemId }: { itemId: number }) {
  const { session } = usePage()
  const graph = useItemGraph(session.api, itemId)
  return (
    <section className="panel run" data-testid="run" data-item-id={itemId}>
      <RunHeader itemId={itemId} />
      <ItemStoppedProvider itemId={itemId}>
        <ExecutionGraph itemId={itemId} graph={graph} />
      </ItemStoppedProvider>
    </section>
  )
}
