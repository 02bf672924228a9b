export * from './schemas'
export * from './persisted'
export * from './persistedRun'
export * from './fetchPrompt'
