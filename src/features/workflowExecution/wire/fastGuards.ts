/*
 * A fast check for the hot event (`invocation_progress`: tens per second per running node). It answers
 * "valid" only for payloads it can vouch for field by field, exactly as the zod schema reads them, and
 * "unsure" for anything else, which zod then decides. A property test proves that it never says valid
 * where zod says invalid, and that the combined answer is zod's answer.
 */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return prototype === Object.prototype
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
