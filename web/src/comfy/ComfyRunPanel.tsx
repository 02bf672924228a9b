import { useSelector } from 'react-redux'
import type { WithWorkflowExecution } from '../../../src'
import { selectPromptIdOfItem } from '../../../src/comfyui'
import { useQueueItemExecution } from '../../../src/react'
import { ErrorText } from '../components/ErrorText'
import { StatusBadge } from '../components/StatusBadge'
import { clipText } from '../format/preview'
import { ItemStoppedProvider } from '../graph/itemStopped'
import { useServerAction } from '../hooks/useServerAction'
import { ComfyGraph } from './ComfyGraph'
import { useComfySession } from './context'
import { useComfyGraph } from './useComfyGraph'

const MAX_TEXT_CHARS = 500

/** Stops the item: a pending prompt is deleted from the queue, a running one interrupted. */
function StopButton({ promptId, status }: { promptId: string; status: string | null }) {
  const session = useComfySession()
  const pending = status === 'pending'
  const stop = useServerAction(pending ? session.api.deletePending : session.api.interrupt)
  const stoppable = status === 'pending' || status === 'in_progress'
  return (
    <>
      <button
        type="button"
        data-testid="cancel-button"
        disabled={!stoppable || stop.busy}
        onClick={() => stop.run(promptId)}
      >
        {pending ? 'Delete from the queue' : 'Interrupt'}
      </button>
      <ErrorText error={stop.error} />
    </>
  )
}

function RunHeader({ itemId }: { itemId: number }) {
  const item = useQueueItemExecution(itemId)
  const promptId = useSelector((state: WithWorkflowExecution) => selectPromptIdOfItem(state, itemId))
  const status = item?.status ?? null
  return (
    <header className="run-header">
      <h2>
        Item {itemId} <StatusBadge status={status} />
      </h2>
      <dl className="facts">
        <dt>prompt</dt>
        <dd>
          <code data-testid="prompt-id">{promptId ?? '—'}</code>
        </dd>
        <dt>reconciliation</dt>
        <dd data-testid="reconciliation-phase">{item?.reconciliation.phase ?? '—'}</dd>
        <dt>settled</dt>
        <dd>{item?.settled ? 'yes' : 'no'}</dd>
      </dl>
      {item?.error ? (
        <p className="node-error" data-testid="item-error">
          <strong>{clipText(item.error.error_type, MAX_TEXT_CHARS)}</strong>:{' '}
          {clipText(item.error.error_message, MAX_TEXT_CHARS)}
        </p>
      ) : null}
      {promptId !== null ? <StopButton promptId={promptId} status={status} /> : null}
    </header>
  )
}

function RunOfItem({ itemId }: { itemId: number }) {
  const session = useComfySession()
  const graph = useComfyGraph(session, itemId)
  return (
    <section className="panel run" data-testid="run" data-item-id={itemId}>
      <RunHeader itemId={itemId} />
      <ItemStoppedProvider itemId={itemId}>
        <ComfyGraph itemId={itemId} graph={graph} />
      </ItemStoppedProvider>
    </section>
  )
}

/** One queue item: its header and its prompt's graph, every node live. */
export function ComfyRunPanel({ itemId }: { itemId: number | undefined }) {
  if (itemId === undefined) {
    return (
      <section className="panel run" data-testid="run">
        <p className="muted">No run yet: queue one, or select an item in the queue.</p>
      </section>
    )
  }
  return <RunOfItem key={itemId} itemId={itemId} />
}
