/*
 * Half-open ranges [from, to) of decision indexes already recorded for an item. A listener that dispatches
 * inside another action's listeners makes the inner action's effect run first: its range is recorded
 * first, and the outer action then takes only what is left of its own, so no decision is recorded twice
 * and each is named after the action that made it.
 */

export type Range = readonly [number, number]

/** At most this many disjoint ranges: nested dispatches leave a hole only until the outer action records. */
const MAX_RANGES = 8

/** The parts of [from, to) that no range covers. */
export function uncovered(ranges: readonly Range[], from: number, to: number): Range[] {
  const out: Range[] = []
  let start = from
  for (const [a, b] of ranges) {
    if (b <= start || a >= to) continue
    if (a > start) out.push([start, a])
    start = Math.max(start, b)
  }
  if (start < to) out.push([start, to])
  return out
}

/** The ranges with [from, to) added, sorted and merged. */
export function cover(ranges: readonly Range[], from: number, to: number): Range[] {
  if (from >= to) return [...ranges]
  const sorted = [...ranges, [from, to] as Range].sort((x, y) => x[0] - y[0])
  const merged: [number, number][] = []
  for (const [a, b] of sorted) {
    const last = merged.at(-1)
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else merged.push([a, b])
  }
  // Bounded: the oldest holes are given up (their decisions have left the 16-entry ring long ago).
  if (merged.length <= MAX_RANGES) return merged
  const kept = merged.slice(-MAX_RANGES)
  return [[0, kept[0]?.[1] ?? 0], ...kept.slice(1)]
}
