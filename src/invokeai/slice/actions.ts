import { createAction, prepareAutoBatched } from '@reduxjs/toolkit'
import { coreActions } from '../../features/workflowExecution/slice/actions'
import { REDUCER_PATH } from '../../features/workflowExecution/slice/state'
import type {
  BatchEnqueuedEvent,
  InvocationCompleteEvent,
  InvocationErrorEvent,
  InvocationProgressEvent,
  InvocationStartedEvent,
  QueueClearedEvent,
  QueueItemStatusChangedEvent,
  QueueItemsCanceledEvent,
  QueueItemsRetriedEvent,
} from '../wire/types'

/*
 * InvokeAI's server events as actions, one per socket event, its payload exactly as received and
 * validated. The type strings keep the engine's prefix (`workflowExecution/…`), as before the adapters.
 */

export const queueItemStatusChanged = createAction<
  QueueItemStatusChangedEvent,
  `${typeof REDUCER_PATH}/queueItemStatusChanged`
>(`${REDUCER_PATH}/queueItemStatusChanged`)
export const invocationStarted = createAction<
  InvocationStartedEvent,
  `${typeof REDUCER_PATH}/invocationStarted`
>(`${REDUCER_PATH}/invocationStarted`)
/** The high-frequency event: auto-batched, so subscribers are notified once per batch. */
export const invocationProgress = createAction(
  `${REDUCER_PATH}/invocationProgress` as const,
  prepareAutoBatched<InvocationProgressEvent>(),
)
export const invocationComplete = createAction<
  InvocationCompleteEvent,
  `${typeof REDUCER_PATH}/invocationComplete`
>(`${REDUCER_PATH}/invocationComplete`)
export const invocationError = createAction<InvocationErrorEvent, `${typeof REDUCER_PATH}/invocationError`>(
  `${REDUCER_PATH}/invocationError`,
)
export const batchEnqueued = createAction<BatchEnqueuedEvent, `${typeof REDUCER_PATH}/batchEnqueued`>(
  `${REDUCER_PATH}/batchEnqueued`,
)
export const queueCleared = createAction<QueueClearedEvent, `${typeof REDUCER_PATH}/queueCleared`>(
  `${REDUCER_PATH}/queueCleared`,
)
export const queueItemsCanceled = createAction<
  QueueItemsCanceledEvent,
  `${typeof REDUCER_PATH}/queueItemsCanceled`
>(`${REDUCER_PATH}/queueItemsCanceled`)
/** Retries are new rows with new ids: the originals stay as they are. */
export const queueItemsRetried = createAction<
  QueueItemsRetriedEvent,
  `${typeof REDUCER_PATH}/queueItemsRetried`
>(`${REDUCER_PATH}/queueItemsRetried`)
/** Socket event name → its action creator: what the socket binding dispatches. */
export const socketEventActions = {
  queue_item_status_changed: queueItemStatusChanged,
  invocation_started: invocationStarted,
  invocation_progress: invocationProgress,
  invocation_complete: invocationComplete,
  invocation_error: invocationError,
  batch_enqueued: batchEnqueued,
  queue_cleared: queueCleared,
  queue_items_canceled: queueItemsCanceled,
  queue_items_retried: queueItemsRetried,
} as const

/** Every action creator of the InvokeAI engine, by name: what the factory hands out as `actions`. */
export const engineActions = {
  queueItemStatusChanged,
  invocationStarted,
  invocationProgress,
  invocationComplete,
  invocationError,
  batchEnqueued,
  queueCleared,
  queueItemsCanceled,
  queueItemsRetried,
  ...coreActions,
} as const
