export { createExecutionStore } from './createExecutionStore'
export type * from './types'
