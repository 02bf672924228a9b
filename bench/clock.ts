import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** Milliseconds, sub-microsecond resolution. */
export const now = (): number => performance.now()

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/**
 * A full collection. `npm run bench` passes --expose-gc; elsewhere (vitest, the old script) the flag is
 * set at run time and a fresh context hands the function out, so heap figures never silently skip it.
 */
export function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return exposed()
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

/**
 * Retained heap in bytes: the least of three reads, each after a full collection. One collection can leave
 * what only a later one frees (weak maps, finalizers), and sub-megabyte figures would move by a third.
 */
export function retainedHeap(): number {
  let least = Number.POSITIVE_INFINITY
  for (let read = 0; read < 3; read += 1) {
    collectGarbage()
    least = Math.min(least, process.memoryUsage().heapUsed)
  }
  return least
}

/**
 * What one `now()` read adds to a timed segment (median of many back-to-back reads). Segments of a
 * nanoseconds-cheap contestant would otherwise measure the clock.
 */
export function clockOverheadMs(samples = 200_000): number {
  const gaps = new Float64Array(samples)
  let previous = now()
  for (let i = 0; i < samples; i += 1) {
    const current = now()
    gaps[i] = current - previous
    previous = current
  }
  return median(Array.from(gaps))
}

export const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * Retained heap once pending timers have fired: RTK's auto-batching keeps a store reachable from a short
 * timer, so a store just dropped would otherwise still count.
 */
export async function quietHeap(): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 30))
  return retainedHeap()
}
