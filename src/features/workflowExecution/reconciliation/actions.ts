import { createAction } from '@reduxjs/toolkit'

/** One failed attempt of a reconciliation that will be retried: visible, changes only the record (R5). */
export const reconciliationAttemptFailed = createAction<{
  itemId: number
  requestId: string
  attempt: number
  error: string
}>('workflowExecution/reconciliationAttemptFailed')
