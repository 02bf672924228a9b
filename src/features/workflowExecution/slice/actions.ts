import { createAction } from '@reduxjs/toolkit'
import { REDUCER_PATH } from './state'
import type { EventRejectedPayload, InvocationOutputReceivedPayload } from './types'

/*
 * The engine's own actions, whatever the protocol, named as the events they report: the connection's, a
 * rejected payload, a delivered output, the current user. Each adapter adds its server's events.
 */

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

/** The engine's own action creators, by name: every adapter's `actions` include them. */
export const coreActions = {
  socketConnected,
  socketDisconnected,
  eventRejected,
  invocationOutputReceived,
  currentUserChanged,
} as const
