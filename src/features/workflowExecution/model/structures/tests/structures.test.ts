import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { emptyList, listAppend, listFrom, listToArray } from '../outputList'
import { emptyTrie, trieFrom, trieGet, trieSet, trieSetAll, trieValues, type HashTrie } from '../hashTrie'

describe('the hash trie behind per-copy data', () => {
  it('behaves as a Map for any sequence of sets, and never changes a trie it was given', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString')), fc.nat()),
          {
            maxLength: 400,
          },
        ),
        (writes) => {
          const model = new Map<string, number>()
          let trie: HashTrie<number> = emptyTrie()
          const versions: [HashTrie<number>, Map<string, number>][] = []
          for (const [key, value] of writes) {
            trie = trieSet(trie, key, value)
            model.set(key, value)
            versions.push([trie, new Map(model)])
          }
          for (const [version, expected] of versions) {
            expect(version.size).toBe(expected.size)
            for (const [key, value] of expected) expect(trieGet(version, key)).toBe(value)
          }
          expect(trieValues(trie).sort()).toEqual([...model.values()].sort())
          expect(trieGet(trie, 'never-set-key')).toBeUndefined()
          expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        },
      ),
      { numRuns: 200 },
    )
  })

  it('setting the same value again returns the same trie; 10,000 keys stay plain JSON', () => {
    const trie = trieSetAll(
      emptyTrie<number>(),
      Array.from({ length: 10_000 }, (_, i) => [`prepared-${i}`, i] as const),
    )
    expect(trie.size).toBe(10_000)
    expect(trieSet(trie, 'prepared-5', 5)).toBe(trie)
    expect(JSON.parse(JSON.stringify(trie))).toEqual(trie)
    expect(trieGet(trie, 'prepared-9999')).toBe(9999)
  })
})

describe('building a trie in one pass', () => {
  it('holds what setting the same entries one by one holds, and later entries win', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.nat()), { maxLength: 2_000 }), (entries) => {
        const built = trieFrom(entries)
        const set = trieSetAll(emptyTrie<number>(), entries)
        expect(built.size).toBe(set.size)
        for (const [key] of entries) expect(trieGet(built, key)).toBe(trieGet(set, key))
        // Further sets work on a built trie as on any other.
        expect(trieGet(trieSet(built, 'x-new', 1), 'x-new')).toBe(1)
      }),
      { numRuns: 100 },
    )
  })
})

describe('the chunked output list', () => {
  it('appends and reads back in order, sharing what it does not change', () => {
    let list = emptyList<number>()
    const lists = []
    for (let i = 0; i < 300; i += 1) {
      list = listAppend(list, i)
      lists.push(list)
    }
    expect(listToArray(list)).toEqual(Array.from({ length: 300 }, (_, i) => i))
    expect(listToArray(lists[99] ?? emptyList())).toHaveLength(100)
    expect(list.chunks[0]).toBe(lists[200]?.chunks[0])
    expect(listToArray(listFrom([1, 2, 3]))).toEqual([1, 2, 3])
  })
})
