/*
 * The package's public surface, named one by one. Internals stay behind their source paths.
 */

// The engine and the ready store.
export { createWorkflowExecution } from './invokeai/createWorkflowExecution'
export { createExecutionStore } from './store'

// Actions a host listens to: one per InvokeAI server event, the connection's, and the engine's own.
export {
  queueItemStatusChanged,
  invocationStarted,
  invocationProgress,
  invocationComplete,
  invocationError,
  batchEnqueued,
  queueCleared,
  queueItemsCanceled,
  queueItemsRetried,
} from './invokeai/slice/actions'
export {
  socketConnected,
  socketDisconnected,
  eventRejected,
  invocationOutputReceived,
  currentUserChanged,
} from './features/workflowExecution/slice/actions'
export { reconciliationAttemptFailed } from './features/workflowExecution/reconciliation/actions'

// Selectors.
export {
  selectWorkflowExecution,
  selectQueueItemExecution,
  selectNodeExecutionState,
  selectNodeCopyCounts,
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectQueueItemIds,
  selectQueueItems,
  selectNodeIds,
  selectRecentDecisions,
  selectSocketConnected,
} from './features/workflowExecution/slice/selectors'

// Fetching queue items: the default fetch, the host's RTK Query endpoint, and the error a fetcher throws.
export { createFetchQueueItem, HttpStatusError } from './invokeai/reconciliation/fetchQueueItem'
export { fetchQueueItemFromEndpoint } from './invokeai/reconciliation/rtkQuery'
export { createFetchQueueSnapshot } from './invokeai/reconciliation/hydration'

// Redux DevTools.
export { actionSanitizer, stateSanitizer } from './features/workflowExecution/devtools/sanitizers'

// The model, for display and debugging.
export { RULES } from './features/workflowExecution/model/rules'
export { CURRENT_RUN_RULES } from './features/workflowExecution/model/currentRun'
export { isTerminalStatus } from './features/workflowExecution/model/snapshot'
export { QUEUE_STATUSES } from './invokeai/wire/schemas'
export { REDUCER_PATH } from './features/workflowExecution/slice/state'

// Public types.
export type {
  WorkflowExecution,
  WorkflowExecutionActions,
  WorkflowExecutionOptions,
  WorkflowExecutionSelectors,
} from './invokeai/types'
export type {
  ExecutionDispatch,
  ExecutionRootState,
  ExecutionStore,
  ExecutionStoreOptions,
  HostReducers,
} from './store'
export type {
  EngineDispatch,
  StartWorkflowExecutionListening,
} from './features/workflowExecution/listeners/types'
export type {
  ReconcileQueueItemArg,
  ReconcileRejection,
  ReconcileThunkConfig,
  RetryOptions,
} from './features/workflowExecution/reconciliation/types'
export type { ReconcileQueueItemThunk } from './invokeai/reconciliation/types'
export type { ReconcileQueueItemResult } from './invokeai/reconciliation/types'
export type { ReconcileServices } from './invokeai/reconciliation/types'
export type { HydrateQueueThunk } from './invokeai/reconciliation/types'
export type { HydrateQueueResult } from './invokeai/reconciliation/types'
export type { HydrateQueueArg } from './invokeai/reconciliation/types'
export type { FetchQueueSnapshotRequest } from './invokeai/reconciliation/types'
export type { FetchQueueSnapshot } from './invokeai/reconciliation/types'
export type { FetchQueueItemRequest } from './invokeai/reconciliation/types'
export type { FetchQueueItem } from './invokeai/reconciliation/types'
export type { ReconciliationAttemptFailedPayload } from './features/workflowExecution/reconciliation/actions'
export type {
  QueueItemEndpoint,
  QueueItemQuery,
  QueueItemQueryResult,
} from './invokeai/reconciliation/rtkQuery'
export type {
  EventRejectedPayload,
  InvocationOutputReceivedPayload,
  OutputSource,
} from './features/workflowExecution/slice/types'
export type { NodeCopyCounts, WithWorkflowExecution } from './features/workflowExecution/slice/selectors'
export type {
  WorkflowExecutionConfig,
  WorkflowExecutionState,
} from './features/workflowExecution/slice/state'
export type { SocketLike, SocketListener } from './invokeai/socket/types'
export type { ValidationIssue } from './features/workflowExecution/wire'
export type {
  Decision,
  DecisionEntry,
  DecisionRing,
  EventKey,
  InvocationCopy,
  ItemMeta,
  NodeError,
  NodeExecutionState,
  NodeStatus,
  NodeTally,
  CopyStatus,
  OrphanOutput,
  QueueItemExecution,
  ReconciliationPhase,
  ReconciliationRecord,
  RuleId,
  CurrentRunRuleId,
} from './features/workflowExecution/model/types'
export type { CurrentRunRow } from './features/workflowExecution/model/currentRun'
export type { Rule, GuardId, RuleEffect } from './features/workflowExecution/model/rules'
export type {
  BatchEnqueuedEvent,
  GraphExecutionSession,
  InvocationCompleteEvent,
  InvocationErrorEvent,
  InvocationOutput,
  InvocationProgressEvent,
  InvocationStartedEvent,
  ProgressImage,
  QueueClearedEvent,
  QueueItemsCanceledEvent,
  QueueItemsRetriedEvent,
  QueueItemStatusChangedEvent,
  QueueStatus,
  SessionQueueItem,
  SocketEventName,
} from './invokeai/wire/types'
