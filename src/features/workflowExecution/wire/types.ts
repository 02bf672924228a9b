import type { z } from 'zod'
import type {
  batchEnqueuedSchema,
  invocationCompleteSchema,
  invocationErrorSchema,
  invocationOutputSchema,
  invocationProgressSchema,
  invocationStartedSchema,
  progressImageSchema,
  queueClearedSchema,
  queueItemStatusChangedSchema,
  queueItemsCanceledSchema,
  queueItemsRetriedSchema,
  QUEUE_STATUSES,
  sessionQueueItemSchema,
  sessionSchema,
  socketEventSchemas,
} from './schemas'

export type QueueStatus = (typeof QUEUE_STATUSES)[number]
export type TerminalQueueStatus = 'completed' | 'failed' | 'canceled'

export type QueueItemStatusChangedEvent = z.infer<typeof queueItemStatusChangedSchema>
export type InvocationStartedEvent = z.infer<typeof invocationStartedSchema>
export type InvocationProgressEvent = z.infer<typeof invocationProgressSchema>
export type InvocationCompleteEvent = z.infer<typeof invocationCompleteSchema>
export type InvocationErrorEvent = z.infer<typeof invocationErrorSchema>
export type BatchEnqueuedEvent = z.infer<typeof batchEnqueuedSchema>
export type QueueClearedEvent = z.infer<typeof queueClearedSchema>
export type QueueItemsCanceledEvent = z.infer<typeof queueItemsCanceledSchema>
export type QueueItemsRetriedEvent = z.infer<typeof queueItemsRetriedSchema>
export type InvocationOutput = z.infer<typeof invocationOutputSchema>
export type ProgressImage = z.infer<typeof progressImageSchema>
export type GraphExecutionSession = z.infer<typeof sessionSchema>
export type SessionQueueItem = z.infer<typeof sessionQueueItemSchema>

export type SocketEventName = keyof typeof socketEventSchemas
export type SocketEventPayloads = { [K in SocketEventName]: z.infer<(typeof socketEventSchemas)[K]> }
