import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { boundedJsonPreview } from '../preview'

function nested(depth: number): unknown {
  let value: unknown = { leaf: true }
  for (let level = 0; level < depth; level += 1) value = { next: value }
  return value
}

describe('the preview of a rejected payload', () => {
  it('is the start of the payload as JSON, for any JSON-like value and bound', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 300 }), (value, maxChars) => {
        const json = JSON.stringify(value)
        expect(boundedJsonPreview(value, maxChars)).toBe(json.slice(0, maxChars))
      }),
      { numRuns: 500 },
    )
  })

  it('writes what JSON.stringify writes for undefined, functions, symbols, NaN and Infinity in objects and arrays', () => {
    const value = {
      a: undefined,
      b: () => 1,
      c: Symbol('s'),
      d: [undefined, NaN, Infinity, -0],
      e: 'é"\n\u2028',
    }
    expect(boundedJsonPreview(value, 1000)).toBe(JSON.stringify(value))
    expect(boundedJsonPreview({ at: new Date(0) }, 1000)).toBe(JSON.stringify({ at: new Date(0) }))
  })

  it('a 100,000-level payload previews from any call stack, in time bounded by the preview', () => {
    const deep = nested(100_000)
    const recurse = (depth: number): string =>
      depth === 0 ? boundedJsonPreview(deep, 64) : recurse(depth - 1)
    const expected = '{"next":'.repeat(8).slice(0, 64)
    expect(boundedJsonPreview(deep, 64)).toBe(expected)
    expect(recurse(2_000)).toBe(expected)
  })

  it('a 5 MB string is cut, not copied whole, and a cycle ends at the bound', () => {
    expect(boundedJsonPreview({ big: 'x'.repeat(5 * 1_048_576) }, 20)).toBe('{"big":"xxxxxxxxxxxx')
    const cycle: Record<string, unknown> = { name: 'loop' }
    cycle.self = cycle
    expect(boundedJsonPreview(cycle, 40)).toBe('{"name":"loop","self":{"name":"loop","se')
  })

  it('a toJSON that throws or a BigInt keeps what was written, or says it is not serializable', () => {
    expect(boundedJsonPreview({ a: 1, b: 2n }, 100)).toBe('{"a":1,"b":')
    expect(boundedJsonPreview(2n, 100)).toBe('[not serializable]')
  })
})
