/*
 * The page's ComfyUI workflow in API format (`{ [nodeId]: { class_type, inputs } }`, a link input being
 * `[nodeId, outputIndex]`), and the graph the run panel draws from a prompt: the same neutral model as the
 * InvokeAI page (graph/itemGraph.ts), so the same layout and React Flow elements serve both.
 */
import type { GraphEdgeInfo, ItemGraph } from '../graph/itemGraph'

export interface ApiNode {
  class_type: string
  inputs: Record<string, unknown>
}

export type ApiPrompt = Record<string, ApiNode>

export interface RunSettings {
  seed: number
  steps: number
  batchSize: number
}

export const DEFAULT_RUN_SETTINGS: RunSettings = { seed: 42, steps: 12, batchSize: 1 }

/**
 * ComfyUI's default text-to-image workflow, with its usual node ids: 4 checkpoint loader, 6 and 7 the
 * positive and negative prompts, 5 the empty latent, 3 the sampler, 8 the decode, 9 the saved image.
 */
export function defaultComfyWorkflow({ seed, steps, batchSize }: RunSettings): ApiPrompt {
  return {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed,
        steps,
        cfg: 8,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: batchSize } },
    '6': {
      class_type: 'CLIPTextEncode',
      inputs: {
        text: 'beautiful scenery nature glass bottle landscape, purple galaxy bottle',
        clip: ['4', 1],
      },
    },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'text, watermark', clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Numeric ids in numeric order, then the others: the same picture whatever the key order was. */
const byNodeId = (a: string, b: string) => {
  const [x, y] = [Number(a), Number(b)]
  const numeric = Number.isInteger(x) && Number.isInteger(y)
  return numeric ? x - y : a < b ? -1 : a > b ? 1 : 0
}

/** Nodes a graph of a server's prompt may have: a larger prompt is not drawn node by node. */
const MAX_NODES = 500

/**
 * The graph of an API-format prompt: its keys are the nodes (labelled by class_type), each link input
 * `[sourceId, outputIndex]` an edge from the source's output to the input. A value of another shape gives
 * no graph (null); links to nodes the prompt does not have are left out.
 */
export function graphOfPrompt(prompt: unknown): ItemGraph | null {
  if (!isObject(prompt)) return null
  const ids = Object.keys(prompt)
  if (ids.length > MAX_NODES) return null
  const nodes = ids.sort(byNodeId).map((id) => {
    const node = prompt[id]
    const classType = isObject(node) ? node.class_type : undefined
    return { id, type: typeof classType === 'string' && classType !== '' ? classType : 'node' }
  })
  const known = new Set(ids)
  const edges: GraphEdgeInfo[] = []
  for (const { id } of nodes) {
    const inputs = (prompt[id] as { inputs?: unknown } | undefined)?.inputs
    if (!isObject(inputs)) continue
    for (const [field, value] of Object.entries(inputs)) {
      if (!Array.isArray(value) || value.length !== 2) continue
      const [source, output] = value as unknown[]
      if ((typeof source !== 'string' && typeof source !== 'number') || typeof output !== 'number') continue
      const sourceId = String(source)
      if (!known.has(sourceId) || sourceId === id) continue
      edges.push({
        id: `${sourceId}:${output}->${id}:${field}`,
        source: sourceId,
        sourceField: String(output),
        target: id,
        targetField: field,
      })
    }
  }
  return { nodes, edges }
}

/** `prompt` if it is an API-format prompt (every value `{ class_type: string, inputs: object }`), else null. */
export function apiPromptOf(prompt: unknown): ApiPrompt | null {
  if (!isObject(prompt)) return null
  for (const node of Object.values(prompt))
    if (!isObject(node) || typeof node.class_type !== 'string' || !isObject(node.inputs)) return null
  return prompt as ApiPrompt
}
