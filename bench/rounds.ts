import { collectGarbage, median } from './clock'
import type { RoundsPlan } from './config'

export interface RoundsOptions extends RoundsPlan {
  collectBetweenRounds: boolean
}

/**
 * Round after round, each contestant in turn, so drift over the run (thermal, other load) falls on all of
 * them alike. Warm-up rounds run the same code and are dropped. Returns the kept samples per name.
 */
export async function interleavedRounds<K extends string>(
  names: readonly K[],
  options: RoundsOptions,
  sample: (name: K, round: number) => number | Promise<number>,
): Promise<Record<K, number[]>> {
  const kept = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>
  const total = options.warmupRounds + options.rounds
  for (let round = 0; round < total; round += 1) {
    for (const name of names) {
      if (options.collectBetweenRounds) collectGarbage()
      const value = await sample(name, round)
      if (round >= options.warmupRounds) kept[name].push(value)
    }
  }
  return kept
}

export function medians<K extends string>(samples: Record<K, number[]>): Record<K, number> {
  return Object.fromEntries(
    Object.entries<number[]>(samples).map(([name, values]) => [name, median(values)]),
  ) as Record<K, number>
}
