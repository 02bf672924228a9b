import { createAction } from '@reduxjs/toolkit'
import { REDUCER_PATH } from '../slice/state'

/** One failed attempt of a reconciliation that will be retried. */
export interface ReconciliationAttemptFailedPayload {
  itemId: number
  requestId: string
  /** 1 for the first attempt. */
  attempt: number
  error: string
}

/** One failed attempt of a reconciliation that will be retried: visible, changes only the record (R5). */
export const reconciliationAttemptFailed = createAction<
  ReconciliationAttemptFailedPayload,
  `${typeof REDUCER_PATH}/reconciliationAttemptFailed`
>(`${REDUCER_PATH}/reconciliationAttemptFailed`)
