import { randomUUID } from 'node:crypto'

/** A seeded PRNG returning floats in [0, 1): mulberry32, small and good enough for chaos decisions. */
export type Random = () => number

export function createRandom(seed: number): Random {
  // Keep the whole state in this closure: one generator per consumer, nothing shared.
  const state = { value: seed >>> 0 }
  return () => {
    state.value = (state.value + 0x6d2b79f5) >>> 0
    let t = state.value
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Derives independent seeds (one per client connection) from one user seed. */
export function mixSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

export function pickIndex(random: Random, length: number): number {
  return Math.min(length - 1, Math.floor(random() * length))
}

export function uuid(): string {
  return randomUUID()
}

/** FNV-1a of a string: a stable 32-bit number for names (the same name, the same seed). */
export function hashString(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193)
  return hash >>> 0
}
