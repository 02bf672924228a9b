import type { IdRecord } from './types'

/*
 * Records keyed by server-chosen ids (node ids, prepared ids, origins). Writes go through object literals
 * with computed keys and spreads, which define own properties (a `__proto__` key never reaches the
 * prototype setter); reads check own properties, so `constructor` or `toString` are plain keys too.
 */

export function emptyRecord<T>(): IdRecord<T> {
  return {}
}

export function getOwn<T>(record: IdRecord<T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** A copy of `record` with `key` set: the minimal immutable update. */
export function withKey<T>(record: IdRecord<T>, key: string, value: T): IdRecord<T> {
  return { ...record, [key]: value }
}

/** A working copy without a prototype, for building a record in place: assigning `__proto__` stays a key. */
export function draftRecord<T>(from: IdRecord<T> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, from)
}

/** A finished draft, as a plain record for the state. */
export function finishRecord<T>(draft: Record<string, T>): IdRecord<T> {
  return { ...draft }
}
