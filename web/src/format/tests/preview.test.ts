import { describe, expect, it } from 'vitest'
import { clipText, firstKeys, previewValue } from '../preview'

/** `{ a: { a: … } }`, `levels` deep, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown = 'bottom'
  for (let level = 0; level < levels; level += 1) value = { a: value }
  return value
}

describe('previewValue: bounded text of any value', () => {
  it('shows scalars, and top-level strings as they are', () => {
    expect(previewValue('plain')).toBe('plain')
    expect(previewValue(42)).toBe('42')
    expect(previewValue(true)).toBe('true')
    expect(previewValue(null)).toBe('null')
    expect(previewValue(undefined)).toBe('undefined')
  })

  it('shows arrays and objects a few levels deep, strings inside quoted', () => {
    expect(previewValue({ image: { image_name: 'a.png' }, n: [1, 2] })).toBe(
      '{image: {image_name: "a.png"}, n: [1, 2]}',
    )
    expect(previewValue({ a: { b: { c: 1 } }, list: [[1, [2]]] }, { maxDepth: 2 })).toBe(
      '{a: {b: {…}}, list: [[…2]]}',
    )
  })

  it('previews a 2,500-level and a 100,000-level payload without overflowing the stack', () => {
    expect(previewValue(nested(2_500))).toBe('{a: {a: {…}}}')
    const deep = previewValue(nested(100_000), { maxDepth: 1_000_000, maxChars: 80 })
    expect(deep).toHaveLength(80)
    expect(deep.endsWith('…')).toBe(true)
  })

  it('cuts huge strings and the whole text', () => {
    const huge = 'x'.repeat(5_000_000)
    expect(previewValue(huge)).toHaveLength(60)
    expect(previewValue({ huge })).toBe(`{huge: "${'x'.repeat(59)}…"}`)
    expect(previewValue(Array.from({ length: 5 }, () => huge)).length).toBeLessThanOrEqual(120)
  })

  it('reads only the first members of a giant array or object', () => {
    const array = new Array<number>(10_000_000).fill(7)
    const object = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]))
    const started = performance.now()
    expect(previewValue(array)).toBe('[7, 7, 7, 7, 7, …+9999995]')
    // JSON.stringify of that array takes about a second; five reads take no time at all.
    expect(performance.now() - started).toBeLessThan(100)
    expect(previewValue(object)).toBe('{k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, …}')
  })

  it('keeps markup as text: nothing is parsed, a script string is just characters', () => {
    const script = '<img src=x onerror=alert(1)>'
    expect(previewValue(script)).toBe(script)
    expect(previewValue({ [script]: script })).toBe(`{${script}: ${JSON.stringify(script)}}`)
  })

  it('survives getters that throw, symbols and functions', () => {
    const hostile = Object.defineProperty({}, 'bad', {
      enumerable: true,
      get() {
        throw new Error('no')
      },
    })
    expect(previewValue(hostile)).toBe('{bad: "[unreadable]"}')
    expect(previewValue([Symbol('s'), () => 1, 10n])).toBe('[symbol, ƒ, 10]')
  })
})

describe('clipText and firstKeys', () => {
  it('clips with an ellipsis only when needed', () => {
    expect(clipText('abc', 3)).toBe('abc')
    expect(clipText('abcd', 3)).toBe('ab…')
  })

  it('stops reading keys past the limit', () => {
    expect(firstKeys({ a: 1, b: 2, c: 3 }, 2)).toEqual({ keys: ['a', 'b'], more: true })
    expect(firstKeys({ a: 1 }, 2)).toEqual({ keys: ['a'], more: false })
  })
})
