/*
 * Fast checks for what is hot or huge: `invocation_progress` (tens per second per running node) and the
 * collections of a persisted session (one entry per copy: 20,000 in a large batch). Each answers "valid"
 * only for data it can vouch for field by field, exactly as the zod schema reads it, and "unsure" for
 * anything else, which zod then decides. Property tests prove that a guard never says valid where zod
 * says invalid, and that the combined answer is zod's answer.
 */

/** What JSON.parse makes; zod's own plain-object test agrees on these (its constructor is Object). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  return Object.getPrototypeOf(value) === Object.prototype && (value as object).constructor === Object
}

const isOptionalText = (value: unknown) => value === undefined || value === null || typeof value === 'string'
const isId = (value: unknown) => typeof value === 'string' && value.length > 0
const isNonNegative = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0

function isProgressImage(value: unknown): boolean {
  if (value === undefined || value === null) return true
  return (
    isPlainObject(value) &&
    isNonNegative(value.width) &&
    isNonNegative(value.height) &&
    typeof value.dataURL === 'string'
  )
}

/** True only when `payload` is certainly a valid `invocation_progress` payload. */
export function isSurelyValidProgress(payload: unknown): boolean {
  if (!isPlainObject(payload)) return false
  const { timestamp, item_id: itemId, invocation, percentage } = payload
  return (
    (timestamp === undefined || (typeof timestamp === 'number' && Number.isFinite(timestamp))) &&
    typeof payload.queue_id === 'string' &&
    Number.isSafeInteger(itemId) &&
    (itemId as number) >= 0 &&
    isOptionalText(payload.batch_id) &&
    isOptionalText(payload.origin) &&
    isOptionalText(payload.destination) &&
    isOptionalText(payload.user_id) &&
    isOptionalText(payload.session_id) &&
    isPlainObject(invocation) &&
    isId(invocation.id) &&
    (invocation.type === undefined || typeof invocation.type === 'string') &&
    isId(payload.invocation_source_id) &&
    isOptionalText(payload.message) &&
    (percentage === undefined ||
      percentage === null ||
      (typeof percentage === 'number' &&
        Number.isFinite(percentage) &&
        percentage >= 0 &&
        percentage <= 1)) &&
    isProgressImage(payload.image) &&
    isOptionalText(payload.device)
  )
}

const isText = (value: unknown) => typeof value === 'string'
const isOutput = (value: unknown) => isPlainObject(value) && typeof value.type === 'string'

function isTextArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false
  for (let i = 0; i < value.length; i += 1) if (typeof value[i] !== 'string') return false
  return true
}

function isOptionalArrayOfText(value: unknown): boolean {
  return value === undefined || isTextArray(value)
}

/** An optional record whose every own value passes `check` (zod also reads symbol keys: none allowed). */
function isOptionalRecordOf(value: unknown, check: (entry: unknown) => boolean): boolean {
  if (value === undefined) return true
  if (!isPlainObject(value) || Object.getOwnPropertySymbols(value).length > 0) return false
  const keys = Object.keys(value)
  for (let i = 0; i < keys.length; i += 1) if (!check(value[keys[i] as string])) return false
  return true
}

/** The session fields whose size grows with the run: the ones a guard checks in place of zod. */
export const SESSION_COLLECTIONS = [
  'results',
  'errors',
  'prepared_source_mapping',
  'source_prepared_mapping',
  'executed',
  'executed_history',
] as const

/** True only when every collection of `session` is certainly what the session schema accepts. */
export function areSurelyValidSessionCollections(session: unknown): boolean {
  return (
    isPlainObject(session) &&
    isOptionalRecordOf(session.results, isOutput) &&
    isOptionalRecordOf(session.errors, isText) &&
    isOptionalRecordOf(session.prepared_source_mapping, isText) &&
    isOptionalRecordOf(session.source_prepared_mapping, isTextArray) &&
    isOptionalArrayOfText(session.executed) &&
    isOptionalArrayOfText(session.executed_history)
  )
}

/**
 * The queue item with its session's collections left out, for zod to check the rest; null when the
 * guard cannot vouch for them (zod then reads the whole item).
 */
export function withoutSurelyValidCollections(payload: unknown): Record<string, unknown> | null {
  if (!isPlainObject(payload) || !areSurelyValidSessionCollections(payload.session)) return null
  const session: Record<string, unknown> = { ...(payload.session as Record<string, unknown>) }
  for (const field of SESSION_COLLECTIONS) delete session[field]
  return { ...payload, session }
}
