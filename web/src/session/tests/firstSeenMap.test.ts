import { describe, expect, it } from 'vitest'
import { createFirstSeenMap } from '../firstSeenMap'

describe('the first-seen map', () => {
  it('keeps at most max keys, the first set longest ago going first', () => {
    const map = createFirstSeenMap<number, string>(3)
    for (const key of [1, 2, 3, 4, 5]) map.set(key, `v${key}`)
    expect(map.keys()).toEqual([3, 4, 5])
    expect(map.size).toBe(3)
    expect(map.get(1)).toBeUndefined()
    expect(map.get(5)).toBe('v5')
  })

  it('changes the value of a held key without moving it', () => {
    const map = createFirstSeenMap<number, string>(3, [
      [1, 'a'],
      [2, 'b'],
    ])
    map.set(1, 'A')
    map.set(3, 'c')
    map.set(4, 'd')
    expect(map.keys()).toEqual([2, 3, 4])
    map.set(3, 'C')
    expect(map.keys()).toEqual([2, 3, 4])
    expect(map.get(3)).toBe('C')
  })

  it('takes back an evicted key as new, and stays right across many compactions', () => {
    const map = createFirstSeenMap<number, number>(4)
    const reference: number[] = []
    for (let i = 0; i < 1_000; i += 1) {
      const key = i % 7 === 0 ? (i * 13) % 11 : i
      map.set(key, i)
      if (!reference.includes(key)) {
        reference.push(key)
        if (reference.length > 4) reference.shift()
      }
      expect(map.keys()).toEqual(reference)
    }
    expect(map.get(reference[0] as number)).toBeDefined()
  })
})
