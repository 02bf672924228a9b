import type { InvocationOutput, NodeError, ProgressImage } from '../../../src'
import { imagesOf, viewUrl } from '../../../src/comfyui'
import { useItemNodeExecutionState } from '../../../src/react'
import { StatusBadge } from '../components/StatusBadge'
import { clipText, previewValue } from '../format/preview'
import { useItemStopped } from '../graph/itemStopped'
import { useComfySession } from './context'

/** A graph node the engine has no record of once its item stopped: it never ran (PENDING would lie). */
const NOT_RUN = 'NOT_RUN'

/** Characters of a server's text, images per node and outputs per node shown: a summary, never a wall. */
const MAX_TEXT_CHARS = 500
const MAX_NAME_CHARS = 120
const MAX_OUTPUTS = 20
const MAX_IMAGES = 16

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

/** The latest latent preview (binary frames, made data URLs by the adapter); anything else is not loaded. */
function LivePreview({ image }: { image: ProgressImage }) {
  if (!image.dataURL.startsWith('data:image/')) return null
  return <img className="progress-image" data-testid="live-preview" src={image.dataURL} alt="" />
}

function NodeErrorText({ error }: { error: NodeError }) {
  return (
    <p className="node-error" data-testid="error-of-node">
      <strong>{clipText(error.error_type, MAX_TEXT_CHARS)}</strong>:{' '}
      {clipText(error.error_message, MAX_TEXT_CHARS)}
    </p>
  )
}

/** One UI output: its images (`GET /view`), or its other keys as a bounded preview. */
function OutputView({ output }: { output: InvocationOutput }) {
  const session = useComfySession()
  const images = imagesOf(output)
  if (images.length === 0) {
    const ui = (output as { ui?: unknown }).ui ?? output
    return (
      <div className="output" data-testid="output" data-type={clipText(output.type, MAX_NAME_CHARS)}>
        <span className="output-type">{previewValue(ui, { maxChars: 80, maxDepth: 2, maxEntries: 4 })}</span>
      </div>
    )
  }
  return (
    <>
      {images.slice(0, MAX_IMAGES).map((image, index) => {
        const url = viewUrl(session.target.baseUrl, image)
        const name = clipText(image.filename, MAX_NAME_CHARS)
        return (
          <figure key={index} className="output" data-testid="output" data-type={output.type}>
            <a href={url} target="_blank" rel="noreferrer">
              <img src={url} alt={name} data-filename={image.filename} />
            </a>
            <figcaption>{name}</figcaption>
          </figure>
        )
      })}
      {images.length > MAX_IMAGES ? (
        <p className="muted small">…and {images.length - MAX_IMAGES} more</p>
      ) : null}
    </>
  )
}

function NodeStatusBadge({ status }: { status: string }) {
  if (status === NOT_RUN) return <span className="badge badge-not_run">never ran</span>
  return <StatusBadge status={status} />
}

/**
 * One node of a ComfyUI prompt: its status, progress, live preview, outputs (images through `/view`),
 * error, and whether the server served it from cache. Re-renders only when that node's state changes (or
 * once, when its item stops).
 */
export function ComfyNodeCard({ itemId, nodeId, type }: { itemId: number; nodeId: string; type: string }) {
  const node = useItemNodeExecutionState(itemId, nodeId)
  const stopped = useItemStopped()
  const status = node?.status ?? (stopped ? NOT_RUN : 'PENDING')
  const cached = node?.cached === true
  const outputs = node?.outputs ?? []
  return (
    <article
      className={`node node-${status.toLowerCase()}${cached ? ' node-cached' : ''}`}
      data-testid={`node-${nodeId}`}
      data-status={status}
      data-cached={cached}
      data-output-count={outputs.length}
      data-progress={node?.progress ?? ''}
    >
      <header className="node-header">
        <span className="node-type">{clipText(type, MAX_NAME_CHARS)}</span>
        <NodeStatusBadge status={status} />
        {cached ? (
          <span className="badge badge-cached" data-testid="cached" title="served from the server's cache">
            cached
          </span>
        ) : null}
      </header>
      <code className="node-id">{clipText(nodeId, MAX_NAME_CHARS)}</code>
      <ProgressBar progress={node?.progress ?? null} running={status === 'IN_PROGRESS'} />
      {node?.progressImage ? <LivePreview image={node.progressImage} /> : null}
      {node?.error ? <NodeErrorText error={node.error} /> : null}
      {/* nowheel: the outputs scroll inside the graph instead of zooming it. */}
      <div className="node-outputs nowheel">
        {outputs.length > 0 ? (
          <div className="outputs">
            {outputs.slice(0, MAX_OUTPUTS).map((output, index) => (
              // Outputs only grow, or are rebuilt whole by a reconciliation: the position is their identity.
              <OutputView key={index} output={output} />
            ))}
          </div>
        ) : null}
      </div>
    </article>
  )
}
