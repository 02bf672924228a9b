/*
 * Everything inside the engine, for its own tests, the simulator, the benchmark and the tools of this
 * repository. Not the package's surface: `src/index.ts` names that.
 */
export * from './slice'
export * from './model'
export * from './wire'
export * from './reconciliation'
export * from './listeners'
export * from './socket'
export * from './createWorkflowExecution'
export * from './devtools/sanitizers'
export { fetchQueueItemFromEndpoint } from './reconciliation/rtkQuery'
export type * from './types'
