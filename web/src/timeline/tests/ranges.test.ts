import { describe, expect, it } from 'vitest'
import { cover, uncovered } from '../ranges'

describe('recorded ranges', () => {
  it('gives the outer action only what the nested ones left', () => {
    // The nested action recorded [5, 7) first; the outer one made [4, 7).
    expect(
      uncovered(
        [
          [0, 4],
          [5, 7],
        ],
        4,
        7,
      ),
    ).toEqual([[4, 5]])
    expect(uncovered([], 2, 4)).toEqual([[2, 4]])
    expect(uncovered([[0, 9]], 3, 9)).toEqual([])
  })

  it('merges what is covered, and stays bounded', () => {
    expect(
      cover(
        [
          [0, 4],
          [5, 7],
        ],
        4,
        5,
      ),
    ).toEqual([[0, 7]])
    expect(cover([[0, 4]], 4, 4)).toEqual([[0, 4]])
    const holes = Array.from({ length: 20 }, (_, i) => [i * 2, i * 2 + 1] as const)
    const bounded = holes.reduce((ranges, [a, b]) => cover(ranges, a, b), cover([], 0, 1))
    expect(bounded.length).toBeLessThanOrEqual(8)
    expect(bounded.at(-1)).toEqual([38, 39])
  })
})
