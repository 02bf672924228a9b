import { z } from 'zod'
import { QUEUE_STATUSES, TERMINAL_QUEUE_STATUSES } from '../../features/workflowExecution/model/statuses'

/*
 * Schemas of what an InvokeAI-compatible server sends (docs/protocol.md). Strict on what the model reads,
 * tolerant of everything else: loose objects let unknown fields pass, and the fields that 6.11-6.13
 * servers lack (user_id, status_sequence, device, ...) are optional. Compiled once, at import.
 */

export { QUEUE_STATUSES, TERMINAL_QUEUE_STATUSES }

const itemId = z.int().nonnegative()
const id = z.string().min(1)
const optionalText = z.string().nullable().optional()
const statusSequence = z.int().nonnegative().nullable().optional()

export const queueStatusSchema = z.enum(QUEUE_STATUSES)

/** A queue item's error and times, as both its status event and its REST row carry them. */
const itemErrorFields = {
  error_type: optionalText,
  error_message: optionalText,
  error_traceback: optionalText,
}
const itemTimeFields = {
  created_at: optionalText,
  updated_at: optionalText,
  started_at: optionalText,
  completed_at: optionalText,
}

const queueEventBase = {
  timestamp: z.number().optional(),
  queue_id: z.string(),
  item_id: itemId,
  batch_id: optionalText,
  origin: optionalText,
  destination: optionalText,
  user_id: optionalText,
}

const invocationEventBase = {
  ...queueEventBase,
  session_id: optionalText,
  invocation: z.looseObject({ id, type: z.string().optional() }),
  invocation_source_id: id,
}

export const progressImageSchema = z.looseObject({
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
  dataURL: z.string(),
})

export const invocationStartedSchema = z.looseObject(invocationEventBase)

export const invocationProgressSchema = z.looseObject({
  ...invocationEventBase,
  message: z.string().nullable().optional(),
  percentage: z.number().min(0).max(1).nullable().optional(),
  image: progressImageSchema.nullable().optional(),
  device: z.string().nullable().optional(),
})

export const invocationOutputSchema = z.looseObject({ type: z.string() })

export const invocationCompleteSchema = z.looseObject({
  ...invocationEventBase,
  result: invocationOutputSchema,
})

export const invocationErrorSchema = z.looseObject({
  ...invocationEventBase,
  error_type: z.string(),
  error_message: z.string(),
  error_traceback: z.string().nullable().optional(),
})

export const queueItemStatusChangedSchema = z.looseObject({
  ...queueEventBase,
  status: queueStatusSchema,
  status_sequence: statusSequence,
  ...itemErrorFields,
  ...itemTimeFields,
  session_id: optionalText,
  batch_status: z.looseObject({}).nullable().optional(),
  queue_status: z.looseObject({}).nullable().optional(),
})

export const batchEnqueuedSchema = z.looseObject({
  timestamp: z.number().optional(),
  queue_id: z.string(),
  batch_id: z.string(),
  enqueued: z.int().nonnegative().optional(),
  requested: z.int().nonnegative().optional(),
  priority: z.number().optional(),
  origin: optionalText,
  user_id: optionalText,
})

export const queueClearedSchema = z.looseObject({
  timestamp: z.number().optional(),
  queue_id: z.string(),
  user_id: optionalText,
})

export const queueItemsCanceledSchema = z.looseObject({
  timestamp: z.number().optional(),
  queue_id: z.string(),
  canceled_item_ids: z.array(itemId),
  user_ids: z.array(z.string()).nullable().optional(),
  canceled_item_ids_by_user: z.record(z.string(), z.array(itemId)).nullable().optional(),
})

export const queueItemsRetriedSchema = z.looseObject({
  timestamp: z.number().optional(),
  queue_id: z.string(),
  retried_item_ids: z.array(itemId),
  user_ids: z.array(z.string()).nullable().optional(),
})

/** `session` of a persisted queue item (GraphExecutionState). REST omits null fields. */
export const sessionSchema = z.looseObject({
  id: z.string(),
  results: z.record(z.string(), invocationOutputSchema).optional(),
  errors: z.record(z.string(), z.string()).optional(),
  prepared_source_mapping: z.record(z.string(), z.string()).optional(),
  source_prepared_mapping: z.record(z.string(), z.array(z.string())).optional(),
  executed: z.array(z.string()).optional(),
  executed_history: z.array(z.string()).optional(),
})

export const sessionQueueItemSchema = z.looseObject({
  item_id: itemId,
  status: queueStatusSchema,
  status_sequence: statusSequence,
  queue_id: z.string().optional(),
  batch_id: z.string().optional(),
  origin: optionalText,
  destination: optionalText,
  session_id: z.string().optional(),
  user_id: optionalText,
  ...itemErrorFields,
  ...itemTimeFields,
  session: sessionSchema,
})

/** Socket event name → the schema of its payload. */
export const socketEventSchemas = {
  queue_item_status_changed: queueItemStatusChangedSchema,
  invocation_started: invocationStartedSchema,
  invocation_progress: invocationProgressSchema,
  invocation_complete: invocationCompleteSchema,
  invocation_error: invocationErrorSchema,
  batch_enqueued: batchEnqueuedSchema,
  queue_cleared: queueClearedSchema,
  queue_items_canceled: queueItemsCanceledSchema,
  queue_items_retried: queueItemsRetriedSchema,
} as const
