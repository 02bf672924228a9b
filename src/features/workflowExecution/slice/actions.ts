import { createAction, prepareAutoBatched } from '@reduxjs/toolkit'
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
import { REDUCER_PATH } from './state'
import type { EventRejectedPayload, InvocationOutputReceivedPayload } from './types'

/*
 * The engine's actions, named as the events they report. One per server event (its payload exactly as
 * received and validated), the connection's, and the two the engine emits itself.
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
export const socketConnected = createAction(`${REDUCER_PATH}/socketConnected` as const)
export const socketDisconnected = createAction(
  `${REDUCER_PATH}/socketDisconnected` as const,
  (reason?: string) => ({
    payload: { reason: reason ?? null },
  }),
)
export const eventRejected = createAction<EventRejectedPayload, `${typeof REDUCER_PATH}/eventRejected`>(
  `${REDUCER_PATH}/eventRejected`,
)
export const invocationOutputReceived = createAction<
  InvocationOutputReceivedPayload,
  `${typeof REDUCER_PATH}/invocationOutputReceived`
>(`${REDUCER_PATH}/invocationOutputReceived`)

/**
 * The signed-in user changed (log-in, log-out, account switch). Only that user's items (and items without
 * a user_id) can become an origin's current run; `reset` drops everything the engine tracks, for a
 * switch where the previous user's runs must not stay on screen.
 */
export const currentUserChanged = createAction<
  { userId: string | null; reset?: boolean },
  `${typeof REDUCER_PATH}/currentUserChanged`
>(`${REDUCER_PATH}/currentUserChanged`)

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

/** Every action creator of the engine's own, by name: what the factory hands out as `actions`. */
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
  socketConnected,
  socketDisconnected,
  eventRejected,
  invocationOutputReceived,
  currentUserChanged,
} as const
