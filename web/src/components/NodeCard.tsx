import type { NodeError, ProgressImage } from '../../../src'
import { useItemNodeExecutionState } from '../../../src/react'
import { NodeOutputs } from './NodeOutputs'
import { StatusBadge } from './StatusBadge'

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

function ProgressPreview({ image }: { image: ProgressImage }) {
  // Progress images are data URLs from the server; anything else is not loaded.
  if (!image.dataURL.startsWith('data:image/')) return null
  return (
    <img className="progress-image" src={image.dataURL} width={image.width} height={image.height} alt="" />
  )
}

function NodeErrorText({ error }: { error: NodeError }) {
  return (
    <p className="node-error" data-testid="error-of-node">
      <strong>{error.error_type}</strong>: {error.error_message}
    </p>
  )
}

/** One source node of one item; re-renders only when that node's state changes. */
export function NodeCard({ itemId, nodeId, type }: { itemId: number; nodeId: string; type: string }) {
  const node = useItemNodeExecutionState(itemId, nodeId)
  // A graph node no event has named yet is waiting to run.
  const status = node?.status ?? 'PENDING'
  return (
    <article
      className={`node node-${status.toLowerCase()}`}
      data-testid={`node-${nodeId}`}
      data-status={status}
      data-output-count={node?.outputs.length ?? 0}
      data-progress={node?.progress ?? ''}
    >
      <header className="node-header">
        <span className="node-type">{type}</span>
        <StatusBadge status={status} />
      </header>
      <code className="node-id">{nodeId}</code>
      <ProgressBar progress={node?.progress ?? null} running={status === 'IN_PROGRESS'} />
      {node?.progressImage ? <ProgressPreview image={node.progressImage} /> : null}
      {node?.error ? <NodeErrorText error={node.error} /> : null}
      <NodeOutputs outputs={node?.outputs ?? []} />
    </article>
  )
}
