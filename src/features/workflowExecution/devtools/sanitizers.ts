/*
 * Redux DevTools keeps every action and state it is sent: a 200 KB progress preview per event fills its
 * log in seconds. These replace every long string (data URLs first) by its size, on copies; what they
 * are given is never changed. They walk at most MAX_DEPTH levels, so no payload can make them throw.
 */

/** Strings longer than this are replaced by a short note of their size. */
export const SANITIZED_STRING_CHARS = 256
const MAX_DEPTH = 32

function noteOf(text: string): string {
  const dataUrl = /^data:([^;,]{0,64})[;,]/.exec(text)
  return dataUrl ? `<${dataUrl[1] || 'data'} data URL, ${text.length} chars>` : `<${text.length} chars>`
}

/** The value with long strings replaced; the same object where nothing below it changed. */
function sanitize(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > SANITIZED_STRING_CHARS ? noteOf(value) : value
  if (typeof value !== 'object' || value === null) return value
  if (depth >= MAX_DEPTH) return `<nested deeper than ${MAX_DEPTH} levels>`
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null
    for (let index = 0; index < value.length; index += 1) {
      const before: unknown = value[index]
      const after = sanitize(before, depth + 1)
      if (after !== before) (copy ??= value.slice())[index] = after
    }
    return copy ?? value
  }
  let copy: Record<string, unknown> | null = null
  for (const key of Object.keys(value)) {
    const before = (value as Record<string, unknown>)[key]
    const after = sanitize(before, depth + 1)
    if (after !== before) {
      copy ??= Object.assign(Object.create(null) as Record<string, unknown>, value)
      copy[key] = after
    }
  }
  return copy ? { ...copy } : value
}

/**
 * For Redux DevTools' `actionSanitizer`: progress data URLs and other long strings in an action become
 * their size.
 * @example
 * configureStore({ reducer, devTools: { actionSanitizer, stateSanitizer } })
 */
export function actionSanitizer<A>(action: A, _id?: number): A {
  return sanitize(action, 0) as A
}

/** For Redux DevTools' `stateSanitizer`: long strings in the state (progress images) become their size. */
export function stateSanitizer<S>(state: S, _index?: number): S {
  return sanitize(state, 0) as S
}
