import { z } from 'zod'

/* ComfyUI's REST answers the adapter reconciles from (docs/comfyui.md §4). Unknown keys pass. */

const promptId = z.string().min(1)

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]` (the OpenAPI spec gives another order). */
export const queueTupleSchema = z
  .tuple([z.number(), promptId, z.unknown(), z.unknown(), z.unknown()])
  .rest(z.unknown())

/** `GET /queue`: at most one running prompt in core; the pending ones in heap order, not sorted. */
export const queueSchema = z.looseObject({
  queue_running: z.array(queueTupleSchema),
  queue_pending: z.array(queueTupleSchema),
})

/** One persisted message: `[type, data]`, e.g. `['execution_interrupted', { … }]`. */
const historyMessageSchema = z.tuple([z.string(), z.unknown()]).rest(z.unknown())

/** A node's UI outputs, e.g. `{ images: [{ filename, subfolder, type }] }`. */
const nodeOutputsSchema = z.record(z.string(), z.unknown())

export const historyEntrySchema = z.looseObject({
  prompt: queueTupleSchema.nullish(),
  outputs: z.record(z.string(), nodeOutputsSchema).nullish(),
  status: z
    .looseObject({
      status_str: z.enum(['success', 'error']).nullish(),
      completed: z.boolean().nullish(),
      messages: z.array(historyMessageSchema).nullish(),
    })
    .nullish(),
  meta: z
    .record(
      z.string(),
      z.looseObject({
        node_id: z.string().nullish(),
        display_node: z.string().nullish(),
        parent_node: z.string().nullish(),
        real_node_id: z.string().nullish(),
      }),
    )
    .nullish(),
})

/** `GET /history/{id}`: `{ [prompt_id]: entry }`, or `{}` (with 200) when the server does not have it. */
export const historyAnswerSchema = z.record(z.string(), historyEntrySchema)

export const JOB_STATUSES = ['pending', 'in_progress', 'completed', 'failed', 'cancelled'] as const

/** `GET /api/jobs/{id}` (404 when unknown): the normalized job, with outputs and the history's status. */
export const jobSchema = z.looseObject({
  id: promptId,
  status: z.enum(JOB_STATUSES),
  outputs: z.record(z.string(), nodeOutputsSchema).nullish(),
  execution_status: historyEntrySchema.shape.status,
  execution_error: z.unknown().optional(),
  execution_start_time: z.number().nullish(),
  execution_end_time: z.number().nullish(),
  /** What was queued: the API-format prompt and its extra_data (read as untrusted: persistedRunOfJob checks it). */
  workflow: z.looseObject({ prompt: z.unknown().optional(), extra_data: z.unknown().optional() }).nullish(),
})

export type ComfyQueue = z.infer<typeof queueSchema>
export type ComfyHistoryEntry = z.infer<typeof historyEntrySchema>
export type ComfyJob = z.infer<typeof jobSchema>
