// What each simulated node type does. The worker owns timing, events and cancellation; a node only
// checks its inputs, spends steps through the context, and returns its output.
import { fitWithin, MAX_IMAGE_SIDE } from './picture'
import type { PictureSpec } from './picture'
import { hashString, uuid } from './random'
import type { Graph, JsonObject } from './types'
import type { PreparedCopy } from './graph'

/** The node that runs another workflow as its own queue item while its parent item waits. */
export const WORKFLOW_CALL = 'workflow_call'

export interface NodeContext {
  /** One unit of visible work: waits a step, then sends an invocation_progress previewing `picture`. */
  step(index: number, total: number, message: string, picture: PictureSpec): Promise<void>
  /** One unit of work without a progress event (a decode, a save). */
  work(): Promise<void>
  /** Stores the image file of `picture` (see images.ts) and returns its image_name. */
  saveImage(picture: PictureSpec): string
  /**
   * Runs `graph` as a child queue item while this item waits; resolves once this item runs again,
   * with the child's row. Throws a NodeError when the child did not complete.
   */
  callWorkflow(graph: Graph): Promise<{ item_id: number; session_id: string }>
}

/** A failure inside a node: the item fails, then an invocation_error follows. */
export class NodeError extends Error {
  readonly errorType: string
  readonly traceback: string
  /** True when the node failed on its inputs, before invocation_started was sent. */
  readonly beforeStart: boolean

  constructor(errorType: string, message: string, nodeType: string, beforeStart = false) {
    super(message)
    this.name = 'NodeError'
    this.errorType = errorType
    this.beforeStart = beforeStart
    this.traceback =
      'Traceback (most recent call last):\n' +
      '  File "/opt/invokeai/invokeai/app/services/session_processor/session_processor_default.py", line 287, in run_node\n' +
      '    output = invocation.invoke_internal(context=context, services=self._services)\n' +
      `  File "/opt/invokeai/invokeai/app/invocations/${nodeType}.py", line 42, in invoke\n` +
      `${errorType}: ${message}\n`
  }
}

interface NodeDefinition {
  /** A message when the (filled) inputs are unusable: invocation_error without invocation_started. */
  checkInputs?(node: JsonObject): string | null
  run(copy: PreparedCopy, ctx: NodeContext): Promise<JsonObject>
}

const isInteger = (value: unknown): value is number => Number.isSafeInteger(value)
const sizeOf = (node: JsonObject, field: 'width' | 'height') => (isInteger(node[field]) ? node[field] : 512)
const stepsOf = (node: JsonObject) => (isInteger(node.steps) && node.steps > 0 ? node.steps : 10)
const seedOf = (node: JsonObject) => (isInteger(node.seed) ? node.seed : 0)

/**
 * What a decode draws: the seed its latents carry (so it is the picture the denoise previewed), else its
 * own `seed`, else one made from the source node id and iteration indices (stable for a graph whose node
 * ids are). Never the session id: the same graph on another simulator gives the same bytes.
 */
function pictureOf(copy: PreparedCopy): PictureSpec {
  const node = copy.node
  const latents = node.latents as { seed?: unknown } | null | undefined
  const seed = isInteger(latents?.seed)
    ? latents.seed
    : isInteger(node.seed)
      ? node.seed
      : hashString([copy.sourceId, ...copy.path.map(([, index]) => index)].join('/'))
  // Files stay small: a larger request is scaled down, and the output announces the size stored.
  return { seed, ...fitWithin(sizeOf(node, 'width'), sizeOf(node, 'height'), MAX_IMAGE_SIDE) }
}

const denoise: NodeDefinition = {
  checkInputs: (node) =>
    node.steps === undefined || (isInteger(node.steps) && node.steps > 0)
      ? null
      : 'steps must be a positive integer',
  async run(copy, ctx) {
    const node = copy.node
    const total = stepsOf(node)
    const width = sizeOf(node, 'width')
    const height = sizeOf(node, 'height')
    const seed = seedOf(node)
    // The previews sharpen towards the picture a decode of these latents draws (same seed).
    for (let i = 0; i < total; i++) await ctx.step(i, total, 'Denoising', { seed, width, height })
    return {
      output_meta: null,
      latents: { latents_name: `latents_${uuid()}`, seed },
      width,
      height,
      type: 'latents_output',
    }
  },
}

const image: NodeDefinition = {
  async run(copy, ctx) {
    await ctx.work()
    const picture = pictureOf(copy)
    return {
      output_meta: null,
      image: { image_name: ctx.saveImage(picture) },
      width: picture.width,
      height: picture.height,
      type: 'image_output',
    }
  },
}

export const nodeDefinitions: Record<string, NodeDefinition> = {
  integer_collection: {
    checkInputs: (node) =>
      Array.isArray(node.collection) && node.collection.every(isInteger)
        ? null
        : 'collection must be a list of integers',
    run: async (copy) => ({
      output_meta: null,
      collection: copy.node.collection,
      type: 'integer_collection_output',
    }),
  },
  iterate: {
    // The element comes from preparation: the prepared copy keeps `collection: []`, as the server shows it.
    run: async (copy) => ({
      output_meta: null,
      item: copy.iteration?.item ?? null,
      index: copy.iteration?.index ?? 0,
      total: copy.iteration?.total ?? 0,
      type: 'iterate_output',
    }),
  },
  collect: {
    run: async (copy) => ({ output_meta: null, collection: copy.node.collection, type: 'collect_output' }),
  },
  add: {
    checkInputs: (node) =>
      (node.a === undefined || isInteger(node.a)) && (node.b === undefined || isInteger(node.b))
        ? null
        : 'a and b must be integers',
    run: async (copy) => ({
      output_meta: null,
      value: (Number(copy.node.a) || 0) + (Number(copy.node.b) || 0),
      type: 'integer_output',
    }),
  },
  denoise,
  denoise_latents: denoise,
  // `graph` was checked at enqueue (graph.ts); the output names the child item that ran it.
  [WORKFLOW_CALL]: {
    async run(copy, ctx) {
      const child = await ctx.callWorkflow(copy.node.graph as Graph)
      return {
        output_meta: null,
        child_item_id: child.item_id,
        child_session_id: child.session_id,
        type: 'workflow_call_output',
      }
    },
  },
  l2i: image,
  image,
  fail: {
    checkInputs: (node) => (node.bad_input === true ? 'field required (simulated bad input)' : null),
    async run(copy, ctx) {
      await ctx.work()
      const node = copy.node
      const errorType = typeof node.error_type === 'string' ? node.error_type : 'RuntimeError'
      const message = typeof node.error_message === 'string' ? node.error_message : 'Simulated node failure'
      throw new NodeError(errorType, message, 'fail')
    },
  },
}

export const nodeTypes = Object.keys(nodeDefinitions)
