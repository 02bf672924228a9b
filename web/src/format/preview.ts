/*
 * Bounded text of any value a server sent, for the page to show as text. The work is bounded by the
 * limits, never by the value: an explicit stack instead of recursion (a 2,500-level payload cannot
 * overflow the call stack), at most `maxEntries` members read per array or object (a million-element
 * array costs the same as a five-element one), strings cut before they are quoted.
 */

export interface PreviewLimits {
  /** Characters of the whole preview; past it the text ends in `…`. */
  maxChars: number
  /** Levels shown; deeper arrays and objects are summarized as `[…n]` and `{…}`. */
  maxDepth: number
  /** Members shown per array or object. */
  maxEntries: number
  /** Characters shown per string. */
  maxStringChars: number
}

export const DEFAULT_PREVIEW_LIMITS: PreviewLimits = {
  maxChars: 120,
  maxDepth: 2,
  maxEntries: 5,
  maxStringChars: 60,
}

const ELLIPSIS = '…'

/** `text` cut to `maxChars` characters, `…` marking the cut. */
export function clipText(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, Math.max(0, maxChars - 1))}${ELLIPSIS}` : text
}

/** At most `max` own enumerable keys, read without listing them all (Object.keys is as long as the object). */
export function firstKeys(object: object, max: number): { keys: string[]; more: boolean } {
  const keys: string[] = []
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue
    if (keys.length === max) return { keys, more: true }
    keys.push(key)
  }
  return { keys, more: false }
}

/** A member read that may throw (a getter, a revoked proxy): the error is shown instead. */
function read(object: object, key: string | number): unknown {
  try {
    return (object as Record<string | number, unknown>)[key]
  } catch {
    return '[unreadable]'
  }
}

type Frame = { text: string } | { value: unknown; depth: number }

function scalarText(value: unknown, limits: PreviewLimits, quoted: boolean): string | null {
  switch (typeof value) {
    case 'string': {
      const clipped = clipText(value, limits.maxStringChars)
      return quoted ? JSON.stringify(clipped) : clipped
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    case 'undefined':
      return 'undefined'
    case 'function':
      return 'ƒ'
    case 'symbol':
      return 'symbol'
    default:
      return value === null ? 'null' : null
  }
}

/** The frames that write an array or an object one level down, in writing order. */
function membersOf(value: object, depth: number, limits: PreviewLimits): Frame[] {
  if (Array.isArray(value)) {
    if (depth >= limits.maxDepth) return [{ text: `[${ELLIPSIS}${value.length}]` }]
    const shown = Math.min(value.length, limits.maxEntries)
    const frames: Frame[] = [{ text: '[' }]
    for (let index = 0; index < shown; index += 1) {
      if (index > 0) frames.push({ text: ', ' })
      frames.push({ value: read(value, index), depth: depth + 1 })
    }
    if (value.length > shown) frames.push({ text: `, ${ELLIPSIS}+${value.length - shown}` })
    frames.push({ text: ']' })
    return frames
  }
  if (depth >= limits.maxDepth) return [{ text: `{${ELLIPSIS}}` }]
  const { keys, more } = firstKeys(value, limits.maxEntries)
  const frames: Frame[] = [{ text: '{' }]
  keys.forEach((key, index) => {
    frames.push({ text: `${index > 0 ? ', ' : ''}${clipText(key, limits.maxStringChars)}: ` })
    frames.push({ value: read(value, key), depth: depth + 1 })
  })
  if (more) frames.push({ text: `${keys.length > 0 ? ', ' : ''}${ELLIPSIS}` })
  frames.push({ text: '}' })
  return frames
}

/**
 * A one-line preview of `value`: a top-level string as is (cut), nested strings quoted, arrays and
 * objects to `maxDepth` levels with `maxEntries` members each, the whole at most `maxChars` characters.
 */
export function previewValue(value: unknown, limits: Partial<PreviewLimits> = {}): string {
  const bounds = { ...DEFAULT_PREVIEW_LIMITS, ...limits }
  const stack: Frame[] = [{ value, depth: 0 }]
  const parts: string[] = []
  let length = 0
  while (stack.length > 0 && length <= bounds.maxChars) {
    const frame = stack.pop() as Frame
    if ('text' in frame) {
      parts.push(frame.text)
      length += frame.text.length
      continue
    }
    const scalar = scalarText(frame.value, bounds, frame.depth > 0)
    if (scalar !== null) {
      parts.push(scalar)
      length += scalar.length
      continue
    }
    const members = membersOf(frame.value as object, frame.depth, bounds)
    for (let index = members.length - 1; index >= 0; index -= 1) stack.push(members[index] as Frame)
  }
  // The loop stops early only once past maxChars: the cut then shows.
  return clipText(parts.join(''), bounds.maxChars)
}
