/*
 * The package's public surface, named one by one. Internals stay behind their source paths.
 */

// The engine and the ready store.
export { createWorkflowExecution } from './features/workflowExecution/createWorkflowExecution'
export { createExecutionStore } from './store'

// Actions a host listens to: one per server event, the connection's, and the engine's own.
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
export {
  createFetchQueueItem,
  HttpStatusError,
} from './features/workflowExecution/reconciliation/fetchQueueItem'
export { fetchQueueItemFromEndpoint } from './features/workflowExecution/reconciliation/rtkQuery'
export { createFetchQueueSnapshot } from './features/workflowExecution/reconciliation/hydration'

// Redux DevTools.
export { actionSanitizer, stateSanitizer } from './features/workflowExecution/devtools/sanitizers'

// The model, for display and debugging.
export { RULES } from './features/workflowExecution/model/rules'
export { CURRENT_RUN_RULES } from './features/workflowExecution/model/currentRun'
export { isTerminalStatus } from './features/workflowExecution/model/snapshot'
export { QUEUE_STATUSES } from './features/workflowExecution/wire/schemas'
export { REDUCER_PATH } from './features/workflowExecution/slice/state'

// Public types.
export type {
  WorkflowExecution,
  WorkflowExecutionActions,
  WorkflowExecutionOptions,
  WorkflowExecutionSelectors,
} from './features/workflowExecution/types'
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
  FetchQueueItem,
  FetchQueueItemRequest,
  FetchQueueSnapshot,
  FetchQueueSnapshotRequest,
  HydrateQueueArg,
  HydrateQueueResult,
  HydrateQueueThunk,
  ReconcileQueueItemArg,
  ReconcileQueueItemResult,
  ReconcileQueueItemThunk,
  ReconcileRejection,
  ReconcileServices,
  ReconcileThunkConfig,
  RetryOptions,
} from './features/workflowExecution/reconciliation/types'
export type { ReconciliationAttemptFailedPayload } from './features/workflowExecution/reconciliation/actions'
export type {
  QueueItemEndpoint,
  QueueItemQuery,
  QueueItemQueryResult,
} from './features/workflowExecution/reconciliation/rtkQuery'
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
export type { SocketLike, SocketListener } from './features/workflowExecution/socket/types'
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
} from './features/workflowExecution/wire/types'
