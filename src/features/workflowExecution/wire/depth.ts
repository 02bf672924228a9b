/**
 * How deep a payload may nest. InvokeAI's payloads nest a handful of levels; past this bound a payload is
 * rejected before anything recursive (zod, RTK's development checks, DevTools, JSON.stringify) sees it.
 */
export const MAX_PAYLOAD_DEPTH = 64

/** Whether anything in the payload nests deeper than `maxDepth`: an explicit stack, no recursion. */
function exceedsDepth(payload: unknown, maxDepth: number): boolean {
  if (typeof payload !== 'object' || payload === null) return false
  const values: object[] = [payload]
  const depths: number[] = [0]
  while (values.length > 0) {
    const value = values.pop() as object
    const depth = depths.pop() as number
    if (depth >= maxDepth) return true
    if (Array.isArray(value)) {
      for (const child of value as unknown[])
        if (typeof child === 'object' && child !== null) {
          values.push(child)
          depths.push(depth + 1)
        }
    } else {
      for (const key in value) {
        const child = (value as Record<string, unknown>)[key]
        if (typeof child === 'object' && child !== null) {
          values.push(child)
          depths.push(depth + 1)
        }
      }
    }
  }
  return false
}

/** The path to the first value nested too deep: walked only once the payload is known to be too deep. */
function deepestPath(payload: unknown, maxDepth: number): string {
  const path: string[] = []
  let value: unknown = payload
  for (let depth = 0; depth < maxDepth && typeof value === 'object' && value !== null; depth += 1) {
    const entries = Array.isArray(value) ? [...value.entries()] : Object.entries(value)
    const next = entries.find(([, child]) => exceedsDepth(child, maxDepth - depth - 1))
    if (!next) break
    path.push(String(next[0]))
    value = next[1]
  }
  return path.join('.')
}

/**
 * The path to a value nested deeper than `maxDepth`, or null. Measured without touching the call stack,
 * so a payload 100,000 levels deep is refused as cheaply as it is found.
 */
export function pathTooDeep(payload: unknown, maxDepth: number = MAX_PAYLOAD_DEPTH): string | null {
  return exceedsDepth(payload, maxDepth) ? deepestPath(payload, maxDepth) : null
}
