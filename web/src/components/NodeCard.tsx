import type { NodeCopyCounts, NodeError, ProgressImage } from '../../../src'
import { useItemNodeCopyCounts, useItemNodeExecutionState } from '../../../src/react'
import { useItemStopped } from '../graph/itemStopped'
import { NodeOutputs } from './NodeOutputs'
import { StatusBadge } from './StatusBadge'
import { clipText } from '../format/preview'

/** A graph node the engine has no record of once its item stopped: it never ran (PENDING would lie). */
const NOT_RUN = 'NOT_RUN'

function ProgressBar({ progress, running }: { progress: number | null; running: boolean }) {
  if (progress === null && !running) return null
  const percent = progress === null ? null : Math.round(progress * 100)
  return (
    <div
      className={percent === null ? 'progress progress-indeterminate' : 'progress'}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
    >
      <div className="progress-fill" style={percent === null ? undefined : { width: `${percent}%` }} />
    </div>
  )
}

/** A fan-out node's copies: one bar over all of them, not one bar refilling per copy. */
function CopiesBar({ copies }: { copies: NodeCopyCounts }) {
  const percent = Math.round((copies.completed / copies.total) * 100)
  return (
    <div className="copies" data-testid="copies">
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={copies.total}
        aria-valuenow={copies.completed}
      >
        <div className="progress-fill copies-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="copies-text">
        {copies.completed} of {copies.total} done
        {copies.running > 0 ? ` · ${copies.running} running` : ''}
        {copies.failed > 0 ? ` · ${copies.failed} failed` : ''}
        {copies.canceled > 0 ? ` · ${copies.canceled} canceled` : ''}
      </span>
    </div>
  )
}

function ProgressPreview({ image }: { image: ProgressImage }) {
  // Progress images are data URLs from the server; anything else is not loaded.
  if (!image.dataURL.startsWith('data:image/')) return null
  return (
    <img className="progress-image" src={image.dataURL} width={image.width} height={image.height} alt="" />
  )
}

/** Characters of a server's error text: a message of megabytes must not become a page of them. */
const MAX_ERROR_CHARS = 500

function NodeErrorText({ error }: { error: NodeError }) {
  return (
    <p className="node-error" data-testid="error-of-node">
      <strong>{clipText(error.error_type, MAX_ERROR_CHARS)}</strong>:{' '}
      {clipText(error.error_message, MAX_ERROR_CHARS)}
    </p>
  )
}

function NodeStatusBadge({ status }: { status: string }) {
  if (status === NOT_RUN) return <span className="badge badge-not_run">never ran</span>
  return <StatusBadge status={status} />
}

/**
 * One source node of one item; re-renders only when that node's state or copy counts change (or once,
 * when its item stops).
 */
export function NodeCard({ itemId, nodeId, type }: { itemId: number; nodeId: string; type: string }) {
  const node = useItemNodeExecutionState(itemId, nodeId)
  const copies = useItemNodeCopyCounts(itemId, nodeId)
  const stopped = useItemStopped()
  // A graph node no event has named yet is waiting to run, until its item stops.
  const status = node?.status ?? (stopped ? NOT_RUN : 'PENDING')
  const fanOut = copies !== undefined && copies.total > 1
  return (
    <article
      className={`node node-${status.toLowerCase()}`}
      data-testid={`node-${nodeId}`}
      data-status={status}
      data-output-count={node?.outputs.length ?? 0}
      data-progress={node?.progress ?? ''}
      data-copies-total={copies?.total ?? 0}
      data-copies-done={copies?.completed ?? 0}
    >
      <header className="node-header">
        <span className="node-type">{type}</span>
        <NodeStatusBadge status={status} />
      </header>
      <code className="node-id">{nodeId}</code>
      {fanOut ? (
        <CopiesBar copies={copies} />
      ) : (
        <ProgressBar progress={node?.progress ?? null} running={status === 'IN_PROGRESS'} />
      )}
      {node?.progressImage ? <ProgressPreview image={node.progressImage} /> : null}
      {node?.error ? <NodeErrorText error={node.error} /> : null}
      {/* nowheel: the outputs scroll inside the graph instead of zooming it. */}
      <div className="node-outputs nowheel">
        <NodeOutputs outputs={node?.outputs ?? []} />
      </div>
    </article>
  )
}
