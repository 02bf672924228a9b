/*
 * The protocol-neutral engine, for its own tests, the adapters, the simulator, the benchmark and the
 * tools of this repository. Not the package's surface: `src/index.ts` names that. Each protocol's adapter
 * (`src/invokeai`, `src/comfyui`) builds on it.
 */
export * from './slice'
export * from './model'
export * from './wire'
export * from './listeners/outputs'
export type * from './listeners/types'
export * from './reconciliation/actions'
export * from './reconciliation/inFlight'
export type * from './reconciliation/types'
export * from './devtools/sanitizers'
