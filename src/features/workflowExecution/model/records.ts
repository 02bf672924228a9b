import type { IdRecord } from './types'

/*
 * Records keyed by server-chosen ids (node ids, prepared ids, origins) are built without a prototype, and
 * read with own-property checks, so ids like `__proto__` or `constructor` are plain keys.
 */

export function emptyRecord<T>(): IdRecord<T> {
  return Object.create(null) as IdRecord<T>
}

export function getOwn<T>(record: IdRecord<T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

/** A copy of `record` with `key` set: the minimal immutable update. */
export function withKey<T>(record: IdRecord<T>, key: string, value: T): IdRecord<T> {
  const next = Object.assign(Object.create(null) as Record<string, T>, record)
  Object.defineProperty(next, key, { value, enumerable: true, writable: true, configurable: true })
  return next
}

export function withoutKey<T>(record: IdRecord<T>, key: string): IdRecord<T> {
  const next = Object.assign(Object.create(null) as Record<string, T>, record)
  delete next[key]
  return next
}
