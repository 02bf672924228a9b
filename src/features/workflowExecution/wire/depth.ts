/**
 * How deep a payload may nest. InvokeAI's payloads nest a handful of levels; past this bound a payload is
 * rejected before anything recursive (zod, RTK's development checks, DevTools, JSON.stringify) sees it.
 */
export const MAX_PAYLOAD_DEPTH = 64

/**
 * The path to the first value nested deeper than `maxDepth`, or null. An explicit stack, not recursion:
 * a payload 100,000 levels deep is measured without touching the call stack, and the walk stops at the
 * first level too deep, so its cost is bounded by what it visits up to there.
 */
export function pathTooDeep(payload: unknown, maxDepth: number = MAX_PAYLOAD_DEPTH): string | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: payload, depth: 0, path: '' }]
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop() as (typeof stack)[number]
    if (typeof value !== 'object' || value === null) continue
    if (depth >= maxDepth) return path
    const keys = Array.isArray(value) ? value.keys() : Object.keys(value)
    for (const key of keys) {
      const child = (value as Record<string | number, unknown>)[key]
      if (typeof child === 'object' && child !== null)
        stack.push({
          value: child,
          depth: depth + 1,
          path: path === '' ? String(key) : `${path}.${String(key)}`,
        })
    }
  }
  return null
}
