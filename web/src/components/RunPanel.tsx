import { useMemo } from 'react'
import { useNodeIds, useQueueItemExecution } from '../../../src/react'
import { useItemGraph } from '../hooks/useItemGraph'
import { useServerAction } from '../hooks/useServerAction'
import { usePage } from '../session/context'
import { ErrorText } from './ErrorText'
import { NodeCard } from './NodeCard'
import { StatusBadge } from './StatusBadge'

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
        <dd>{item?.origin ?? '—'}</dd>
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
          <strong>{item.error.error_type}</strong>: {item.error.error_message}
        </p>
      ) : null}
      <CancelButton itemId={itemId} disabled={status !== null && TERMINAL.has(status)} />
    </header>
  )
}

/** Graph nodes first, in graph order, then any node the events named that the graph did not list. */
function useDisplayedNodes(itemId: number) {
  const { session } = usePage()
  const graphNodes = useItemGraph(session.api, itemId)
  const seenIds = useNodeIds(itemId)
  return useMemo(() => {
    const types = new Map(graphNodes.map((node) => [node.id, node.type]))
    const extra = seenIds.filter((id) => !types.has(id)).map((id) => ({ id, type: 'node' }))
    return [...graphNodes, ...extra]
  }, [graphNodes, seenIds])
}

/** The nodes of one queue item as cards. */
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
  const nodes = useDisplayedNodes(itemId)
  return (
    <section className="panel run" data-testid="run" data-item-id={itemId}>
      <RunHeader itemId={itemId} />
      <div className="nodes">
        {nodes.map((node) => (
          <NodeCard key={node.id} itemId={itemId} nodeId={node.id} type={node.type} />
        ))}
      </div>
    </section>
  )
}
