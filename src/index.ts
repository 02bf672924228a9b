export * from './features/workflowExecution'
