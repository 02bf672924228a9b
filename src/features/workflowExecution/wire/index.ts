export { MAX_PAYLOAD_DEPTH, pathTooDeep } from './depth'

/** Where a payload failed its check, and why. */
export type ValidationIssue = { path: string; message: string }
