export * from './schemas'
export * from './persisted'
