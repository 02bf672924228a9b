import type { InvocationOutput } from '../../../src'
import { clipText, firstKeys, previewValue } from '../format/preview'
import { usePage } from '../session/context'

/** Fields shown per output, characters per value, outputs per node: a summary, never a JSON wall. */
const MAX_FIELDS = 4
const MAX_VALUE_CHARS = 60
const MAX_NAME_CHARS = 120
const MAX_OUTPUTS = 50

function imageNameOf(output: InvocationOutput): string | null {
  const image = (output as { image?: unknown }).image
  const name =
    typeof image === 'object' && image !== null ? (image as { image_name?: unknown }).image_name : null
  return typeof name === 'string' && name !== '' ? name : null
}

/** One value, bounded in depth, members and length (a payload may be thousands of levels deep). */
function shortValue(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'object' && !Array.isArray(value)) {
    const name = (value as { image_name?: unknown; latents_name?: unknown }).image_name
    if (typeof name === 'string') return clipText(name, MAX_VALUE_CHARS)
  }
  return previewValue(value, { maxChars: MAX_VALUE_CHARS, maxDepth: 1, maxEntries: 3, maxStringChars: 40 })
}

/** The output's own fields, as `name: value` pairs (type and metadata left out). */
function fieldsOf(output: InvocationOutput): [string, string][] {
  const { keys } = firstKeys(output, MAX_FIELDS + 2)
  return keys
    .filter((key) => key !== 'type' && key !== 'output_meta')
    .slice(0, MAX_FIELDS)
    .map((key) => [key, shortValue((output as Record<string, unknown>)[key])])
}

function OutputView({ output }: { output: InvocationOutput }) {
  const { session, server } = usePage()
  const imageName = imageNameOf(output)
  // The simulator and a real InvokeAI both serve images at /api/v1/images/i/{name}: the name only ever
  // goes into those URLs (encoded) and into text.
  if (imageName && server.kind !== 'unknown') {
    const shownName = clipText(imageName, MAX_NAME_CHARS)
    return (
      <figure className="output" data-testid="output" data-type={clipText(output.type, MAX_NAME_CHARS)}>
        <a href={session.api.imageUrl(imageName)} target="_blank" rel="noreferrer">
          <img src={session.api.thumbnailUrl(imageName)} alt={shownName} loading="lazy" />
        </a>
        <figcaption>{shownName}</figcaption>
      </figure>
    )
  }
  return (
    <div className="output" data-testid="output" data-type={clipText(output.type, MAX_NAME_CHARS)}>
      <span className="output-type">{shortValue(output.type)}</span>
      <dl className="output-fields">
        {fieldsOf(output).map(([key, value]) => (
          <div key={key}>
            <dt>{clipText(key, MAX_VALUE_CHARS)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </div>
  )
}

/** A node's outputs in execution order (one per completed copy), the first MAX_OUTPUTS of them. */
export function NodeOutputs({ outputs }: { outputs: readonly InvocationOutput[] }) {
  if (outputs.length === 0) return null
  const hidden = outputs.length - MAX_OUTPUTS
  return (
    <div className="outputs">
      {outputs.slice(0, MAX_OUTPUTS).map((output, index) => (
        // Outputs only grow, or are rebuilt whole by a reconciliation: the position is their identity.
        <OutputView key={index} output={output} />
      ))}
      {hidden > 0 ? <p className="muted small">…and {hidden} more</p> : null}
    </div>
  )
}
