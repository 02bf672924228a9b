import type { z } from 'zod'
import type {
  batchEnqueuedSchema,
  invocationCompleteSchema,
  invocationErrorSchema,
  invocationProgressSchema,
  invocationStartedSchema,
  queueClearedSchema,
  queueItemStatusChangedSchema,
  queueItemsCanceledSchema,
  queueItemsRetriedSchema,
  sessionQueueItemSchema,
  sessionSchema,
  socketEventSchemas,
} from './schemas'

export type { QueueStatus, TerminalQueueStatus } from '../../features/workflowExecution/model/statuses'

export type QueueItemStatusChangedEvent = z.infer<typeof queueItemStatusChangedSchema>
export type InvocationStartedEvent = z.infer<typeof invocationStartedSchema>
export type InvocationProgressEvent = z.infer<typeof invocationProgressSchema>
export type InvocationCompleteEvent = z.infer<typeof invocationCompleteSchema>
export type InvocationErrorEvent = z.infer<typeof invocationErrorSchema>
export type BatchEnqueuedEvent = z.infer<typeof batchEnqueuedSchema>
export type QueueClearedEvent = z.infer<typeof queueClearedSchema>
export type QueueItemsCanceledEvent = z.infer<typeof queueItemsCanceledSchema>
export type QueueItemsRetriedEvent = z.infer<typeof queueItemsRetriedSchema>
export type { InvocationOutput, ProgressImage } from '../../features/workflowExecution/model/types'
export type GraphExecutionSession = z.infer<typeof sessionSchema>
export type SessionQueueItem = z.infer<typeof sessionQueueItemSchema>

export type SocketEventName = keyof typeof socketEventSchemas
export type SocketEventPayloads = { [K in SocketEventName]: z.infer<(typeof socketEventSchemas)[K]> }
