import { executionOrder, upstreamOf } from '../../sim/comfyui/graph'
import type { ApiPrompt } from '../../sim/comfyui/types'

/*
 * A generated API-format prompt: 2-6 nodes, each linking from up to two earlier ones (chains and
 * fan-in), a SaveImage output (the last node) and maybe a PreviewImage (another node nothing links from);
 * the remaining sinks, and what only they need, are not run at all. The SaveImage may expand into an
 * ephemeral node (`7.0.0.1`) that does its work and holds its output: it shows on the node that expanded
 * it. A node is served from cache when its bit is set and everything it links from is cached too (a
 * cache hit is a whole upstream); the SaveImage never is, so a prompt always runs something.
 */

export interface GraphSpec {
  /** Per node after the first: the earlier nodes it links from (taken modulo its position), 0-2 of them. */
  links: number[][]
  /** A PreviewImage on the first other node nothing links from, if there is one. */
  previewOutput: boolean
  /** The SaveImage runs as an ephemeral node of its own expansion. */
  ephemeral: boolean
  /** Bit k: node k's output is in the cache (if what it links from is too). */
  cachedMask: number
}

const WORKER_CLASSES = [
  'CheckpointLoaderSimple',
  'EmptyLatentImage',
  'CLIPTextEncode',
  'KSampler',
  'VAEDecode',
]

export interface PromptGraph {
  /** Node ids in the prompt's order. */
  ids: string[]
  prompt: ApiPrompt
  classOf: (id: string) => string
  /** What links from what, among the prompt's nodes. */
  inputsOf: (id: string) => string[]
  outputs: string[]
  /** The primary output (SaveImage). */
  save: string
  /** The SaveImage's ephemeral node, if it expands. */
  ephemeral: string | null
  /** The outputs and everything they need: the nodes that run (the persisted run's nodes). */
  runs: Set<string>
  /** Every prompt node whose output is cached (execution_cached lists them all, run or not). */
  cached: Set<string>
  /** The nodes the worker visits, in order: the outputs, and upstream of every node not cached. */
  order: string[]
}

export function buildGraph(spec: GraphSpec): PromptGraph {
  const count = spec.links.length + 1
  const ids = Array.from({ length: count }, (_, index) => String(index + 3))
  const inputs: string[][] = ids.map((_, index) =>
    index === 0
      ? []
      : [...new Set((spec.links[index - 1] ?? []).map((link) => link % index))].map(
          (from) => ids[from] as string,
        ),
  )
  const linked = new Set(inputs.flat())
  const save = ids[count - 1] as string
  const preview = spec.previewOutput ? ids.slice(0, -1).find((id) => !linked.has(id)) : undefined
  const outputs = preview === undefined ? [save] : [save, preview]
  const classes = new Map<string, string>()
  ids.forEach((id, index) =>
    classes.set(
      id,
      id === save
        ? 'SaveImage'
        : id === preview
          ? 'PreviewImage'
          : (WORKER_CLASSES[index % WORKER_CLASSES.length] as string),
    ),
  )
  const prompt: ApiPrompt = {}
  ids.forEach((id, index) => {
    const node: Record<string, unknown> = { seed: index }
    ;(inputs[index] as string[]).forEach((from, slot) => (node[`in${slot}`] = [from, 0]))
    prompt[id] = { class_type: classes.get(id) as string, inputs: node }
  })
  const cached = new Set<string>()
  ids.forEach((id, index) => {
    if (id === save || ((spec.cachedMask >> index) & 1) === 0) return
    if ((inputs[index] as string[]).every((from) => cached.has(from))) cached.add(id)
  })
  const runs = upstreamOf(prompt, outputs)
  const inputsById = new Map(ids.map((id, index) => [id, inputs[index] as string[]]))
  return {
    ids,
    prompt,
    classOf: (id) => classes.get(id) ?? 'SaveImage',
    inputsOf: (id) => inputsById.get(id) ?? [],
    outputs,
    save,
    ephemeral: spec.ephemeral ? `${save}.0.0.1` : null,
    runs,
    cached,
    order: executionOrder(prompt, outputs, cached),
  }
}

/** `roots` and every visited node that links from them, directly or not. */
export function downstreamOf(graph: PromptGraph, roots: readonly string[]): Set<string> {
  const found = new Set(roots)
  for (const id of graph.order)
    if (!found.has(id) && graph.inputsOf(id).some((from) => found.has(from))) found.add(id)
  return found
}
