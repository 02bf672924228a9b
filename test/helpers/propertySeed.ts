import fc from 'fast-check'

/**
 * The one seed of every property test. `npm test` is deterministic: without `FC_SEED` every fast-check
 * run uses this fixed seed. CI's long run sets `FC_SEED` per commit. A failure prints its
 * `{ seed, path }`; replay it with `FC_SEED=<seed>` (and, for the convergence property,
 * `CONVERGENCE_PATH=<path>`).
 */
export const DEFAULT_PROPERTY_SEED = 20_261_201

function seedFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PROPERTY_SEED
  const seed = Number(raw)
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(raw)}`)
  return seed | 0
}

export const PROPERTY_SEED = seedFromEnv(process.env.FC_SEED)

/** Installs the seed as fast-check's global default (vitest runs this before every test file). */
export function configurePropertySeed(): void {
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: PROPERTY_SEED })
}
