import type { ValidationIssue } from '../wire'
import type { InvocationOutput } from '../model/types'

/** A socket payload that failed its schema: dispatched instead of the event's action, it changes no state. */
export interface EventRejectedPayload {
  /** The socket event name, e.g. `'invocation_complete'`. */
  event: string
  /** The first schema issues (at most 10), each with its path. */
  issues: ValidationIssue[]
  /** The start of the rejected payload as JSON, bounded, for debugging. */
  preview: string
}

/**
 * Where an output was learned: the socket's `invocation_complete`, the persisted session of a
 * reconciliation, or the server's list of recent items on connect (`hydration`: a host may choose not to
 * add those to a gallery again).
 */
export type OutputSource = 'socket' | 'reconciliation' | 'hydration'

/**
 * One output, delivered exactly once per (item, prepared id), whichever way it arrived.
 * @example
 * execution.startListening({
 *   actionCreator: invocationOutputReceived,
 *   effect: ({ payload }) => {
 *     if (payload.output.type === 'image_output') addToGallery(payload.output.image.image_name)
 *   },
 * })
 */
export interface InvocationOutputReceivedPayload {
  itemId: number
  /** The prepared (executed) invocation id: one per copy of an iterate fan-out. */
  preparedId: string
  /** The graph node it is a copy of; null for an orphan (a persisted result neither mapping names). */
  sourceNodeId: string | null
  output: InvocationOutput
  origin: string | null
  destination: string | null
  /** The node type that produced it (`invocation.type`, or the persisted graph's), null if never said. */
  invocationType: string | null
  /** `is_intermediate` of the invocation, where known. */
  isIntermediate: boolean | null
  /** The item's user (`user_id`), null on servers without users. */
  userId: string | null
  via: OutputSource
}
