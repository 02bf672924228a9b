export * from './createExecutionStore'
