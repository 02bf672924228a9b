/*
 * The InvokeAI adapter, for this repository's tests and tools: its wire (zod schemas, the persisted
 * item read as the model's PersistedRun), its actions and reducer front, the socket.io binding, the
 * reconciliation and hydration over its REST, the listeners and the factory. `src/index.ts` names what
 * the package exports of it.
 */
export * from './wire'
export * from './slice/actions'
export { createWorkflowExecutionReducer } from './slice/reducer'
export * from './reconciliation'
export * from './listeners'
export * from './socket'
export * from './createWorkflowExecution'
export { fetchQueueItemFromEndpoint } from './reconciliation/rtkQuery'
export type * from './types'
