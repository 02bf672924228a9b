export * from './features/workflowExecution'
export * from './store'
