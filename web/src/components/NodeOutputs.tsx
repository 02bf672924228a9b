import type { InvocationOutput } from '../../../src'
import { usePage } from '../session/context'

const MAX_JSON_CHARS = 600

function imageNameOf(output: InvocationOutput): string | null {
  const image = (output as { image?: unknown }).image
  const name =
    typeof image === 'object' && image !== null ? (image as { image_name?: unknown }).image_name : null
  return typeof name === 'string' && name !== '' ? name : null
}

function OutputView({ output }: { output: InvocationOutput }) {
  const { session, server } = usePage()
  const imageName = imageNameOf(output)
  // Only a real InvokeAI stores images; the simulator's image names point nowhere.
  if (imageName && server.kind === 'invokeai') {
    return (
      <figure className="output" data-testid="output" data-type={output.type}>
        <img src={session.api.imageUrl(imageName)} alt={imageName} loading="lazy" />
        <figcaption>{imageName}</figcaption>
      </figure>
    )
  }
  const json = JSON.stringify(output)
  return (
    <div className="output" data-testid="output" data-type={output.type}>
      <span className="output-type">{output.type}</span>
      <pre>{json.length > MAX_JSON_CHARS ? `${json.slice(0, MAX_JSON_CHARS)}…` : json}</pre>
    </div>
  )
}

/** A node's outputs in execution order (one per completed copy). */
export function NodeOutputs({ outputs }: { outputs: readonly InvocationOutput[] }) {
  if (outputs.length === 0) return null
  return (
    <div className="outputs">
      {outputs.map((output, index) => (
        // Outputs only grow, or are rebuilt whole by a reconciliation: the position is their identity.
        <OutputView key={index} output={output} />
      ))}
    </div>
  )
}
