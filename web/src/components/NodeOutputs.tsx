import type { InvocationOutput } from '../../../src'
import { usePage } from '../session/context'

/** Fields shown per output, and characters per value: a summary, never a JSON wall. */
const MAX_FIELDS = 4
const MAX_VALUE_CHARS = 60

function imageNameOf(output: InvocationOutput): string | null {
  const image = (output as { image?: unknown }).image
  const name =
    typeof image === 'object' && image !== null ? (image as { image_name?: unknown }).image_name : null
  return typeof name === 'string' && name !== '' ? name : null
}

/** One value, shallowly: nested values are named, never walked (a payload may be thousands of levels deep). */
function shortValue(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'string')
    return value.length > MAX_VALUE_CHARS ? `${value.slice(0, MAX_VALUE_CHARS)}…` : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.length}]`
  if (typeof value === 'object') {
    const name = (value as { image_name?: unknown; latents_name?: unknown }).image_name
    return typeof name === 'string' ? name : '{…}'
  }
  return typeof value
}

/** The output's own fields, as `name: value` pairs (type and metadata left out). */
function fieldsOf(output: InvocationOutput): [string, string][] {
  return Object.keys(output)
    .filter((key) => key !== 'type' && key !== 'output_meta')
    .slice(0, MAX_FIELDS)
    .map((key) => [key, shortValue((output as Record<string, unknown>)[key])])
}

function OutputView({ output }: { output: InvocationOutput }) {
  const { session, server } = usePage()
  const imageName = imageNameOf(output)
  // The simulator and a real InvokeAI both serve images at /api/v1/images/i/{name}.
  if (imageName && server.kind !== 'unknown') {
    return (
      <figure className="output" data-testid="output" data-type={output.type}>
        <a href={session.api.imageUrl(imageName)} target="_blank" rel="noreferrer">
          <img src={session.api.thumbnailUrl(imageName)} alt={imageName} loading="lazy" />
        </a>
        <figcaption>{imageName}</figcaption>
      </figure>
    )
  }
  return (
    <div className="output" data-testid="output" data-type={output.type}>
      <span className="output-type">{shortValue(output.type)}</span>
      <dl className="output-fields">
        {fieldsOf(output).map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
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
