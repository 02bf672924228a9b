export * from './slice'
export * from './model'
export * from './wire'
export * from './reconciliation'
