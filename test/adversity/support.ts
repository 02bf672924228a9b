/*
 * Small helpers for the adversity tests: hostile values, prototype fingerprints, waiting.
 */

/** Ids a naive `{}` keyed by server-chosen strings would confuse with Object.prototype's members. */
export const HOSTILE_IDS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const

/** An object built as JSON.parse builds it: every key an own data property, `__proto__` included. */
export function ownRecord(entries: [string, unknown][]): Record<string, unknown> {
  const record: Record<string, unknown> = {}
  for (const [key, value] of entries) {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return record
}

/** What a socket.io or fetch JSON parser makes of a payload that tries to pollute prototypes. */
export function pollutingKeys(): Record<string, unknown> {
  return JSON.parse(
    '{"__proto__":{"polluted":"yes","toString":"hijacked"},"constructor":{"prototype":{"polluted":"yes"}}}',
  ) as Record<string, unknown>
}

/** `{ nested: { nested: … } }`, `depth` levels, built iteratively (no recursion to overflow). */
export function deeplyNestedObject(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true }
  for (let level = 0; level < depth; level += 1) value = { nested: value }
  return value
}

/** `[[[ … ]]]`, `depth` levels, built iteratively. */
export function deeplyNestedArray(depth: number): unknown[] {
  let value: unknown[] = []
  for (let level = 0; level < depth; level += 1) value = [value]
  return value
}

export function hugeString(chars: number, fill = 'x'): string {
  return fill.repeat(chars)
}

export function dataUrlOf(chars: number): string {
  const prefix = 'data:image/png;base64,'
  return prefix + 'A'.repeat(Math.max(0, chars - prefix.length))
}

export interface PrototypeFingerprint {
  names: string[]
  values: unknown[]
  arrayNames: string[]
  functionNames: string[]
}

function ownValues(target: object, names: string[]): unknown[] {
  return names.map((name) => {
    const descriptor = Object.getOwnPropertyDescriptor(target, name)
    return descriptor && ('value' in descriptor ? descriptor.value : [descriptor.get, descriptor.set])
  })
}

/** The own property names and values of the built-in prototypes a polluting payload would target. */
export function prototypeFingerprint(): PrototypeFingerprint {
  const names = Object.getOwnPropertyNames(Object.prototype).sort()
  return {
    names,
    values: ownValues(Object.prototype, names),
    arrayNames: Object.getOwnPropertyNames(Array.prototype).sort(),
    functionNames: Object.getOwnPropertyNames(Function.prototype).sort(),
  }
}

/** Resolves once `check` holds; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
