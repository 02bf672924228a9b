import { z } from 'zod'

/*
 * ComfyUI's JSON frames (`{ type, data }` on `/ws?clientId=…`), as docs/comfyui.md §2 describes them. The
 * server writes Python `None` as null and marks little as optional, so every field that is not always
 * meaningful is nullish. Unknown keys pass: a newer server (or Comfy Cloud) adds fields such as
 * `workflow_id`.
 */

const nodeId = z.string().min(1)
const promptId = z.string().min(1)
/** Milliseconds since the epoch, on the persisted `execution_*` messages only. */
const timestamp = z.number().int().nonnegative()

export const statusFrameSchema = z.looseObject({
  status: z.looseObject({
    exec_info: z.looseObject({ queue_remaining: z.number().int().nonnegative() }),
  }),
  /** Only in the frame sent on connect: the client id the server uses for this socket. */
  sid: z.string().nullish(),
})

export const executionStartFrameSchema = z.looseObject({
  prompt_id: promptId,
  timestamp: timestamp.nullish(),
})

export const executionCachedFrameSchema = z.looseObject({
  prompt_id: promptId,
  nodes: z.array(nodeId),
  timestamp: timestamp.nullish(),
})

/** A node starts (`node`), the prompt ends (`node: null`), or a reconnect repeats the last node (no prompt). */
export const executingFrameSchema = z.looseObject({
  node: nodeId.nullable(),
  display_node: nodeId.nullish(),
  prompt_id: promptId.nullish(),
})

export const progressFrameSchema = z.looseObject({
  value: z.number().nonnegative(),
  max: z.number().positive(),
  prompt_id: promptId.nullish(),
  node: nodeId.nullish(),
})

export const NODE_PROGRESS_STATES = ['pending', 'running', 'finished', 'error'] as const

const nodeProgressSchema = z.looseObject({
  value: z.number().nonnegative(),
  max: z.number().positive(),
  state: z.enum(NODE_PROGRESS_STATES),
  node_id: nodeId,
  prompt_id: promptId.nullish(),
  display_node_id: nodeId.nullish(),
  parent_node_id: nodeId.nullish(),
  real_node_id: nodeId.nullish(),
})

/** The whole prompt's progress: every node that is not pending, resent on each change (last writer wins). */
export const progressStateFrameSchema = z.looseObject({
  prompt_id: promptId,
  nodes: z.record(z.string(), nodeProgressSchema),
})

/** A node's UI output (`images`, `text`, …); sent only for nodes that have one, or cache hits. */
export const executedFrameSchema = z.looseObject({
  node: nodeId,
  display_node: nodeId.nullish(),
  prompt_id: promptId,
  output: z.record(z.string(), z.unknown()).nullable(),
})

export const executionSuccessFrameSchema = z.looseObject({
  prompt_id: promptId,
  timestamp: timestamp.nullish(),
})

/** Also the non-terminal `ExecutionBlocked` (no timestamp, empty traceback): the prompt goes on. */
export const executionErrorFrameSchema = z.looseObject({
  prompt_id: promptId,
  node_id: nodeId.nullish(),
  node_type: z.string().nullish(),
  executed: z.array(nodeId).nullish(),
  exception_message: z.string(),
  exception_type: z.string(),
  traceback: z.array(z.string()).nullish(),
  current_inputs: z.unknown().optional(),
  current_outputs: z.unknown().optional(),
  timestamp: timestamp.nullish(),
})

export const executionInterruptedFrameSchema = z.looseObject({
  prompt_id: promptId,
  node_id: nodeId.nullish(),
  node_type: z.string().nullish(),
  executed: z.array(nodeId).nullish(),
  timestamp: timestamp.nullish(),
})

/** The frames the adapter reads, by `type`; every other type is ignored (custom nodes send their own). */
export const COMFY_FRAME_SCHEMAS = {
  status: statusFrameSchema,
  execution_start: executionStartFrameSchema,
  execution_cached: executionCachedFrameSchema,
  executing: executingFrameSchema,
  progress: progressFrameSchema,
  progress_state: progressStateFrameSchema,
  executed: executedFrameSchema,
  execution_success: executionSuccessFrameSchema,
  execution_error: executionErrorFrameSchema,
  execution_interrupted: executionInterruptedFrameSchema,
} as const

export type ComfyFrameType = keyof typeof COMFY_FRAME_SCHEMAS

/** One JSON frame the adapter reads, its `data` as validated. */
export type ComfyFrame = {
  [K in ComfyFrameType]: { type: K; data: z.infer<(typeof COMFY_FRAME_SCHEMAS)[K]> }
}[ComfyFrameType]
