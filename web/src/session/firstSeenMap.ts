/**
 * A map of at most `max` keys where the key first set longest ago goes first, in O(1) per call: a Map for
 * the values and an array of keys in first-seen order read from a moving head (compacted now and then), so
 * eviction never walks the deleted entries a Map keeps at its front when used as a queue. Setting a key
 * already held changes its value, not its place.
 */
export interface FirstSeenMap<K, V> {
  get(key: K): V | undefined
  set(key: K, value: V): void
  readonly size: number
  /** Oldest first. */
  keys(): K[]
}

export function createFirstSeenMap<K, V>(
  max: number,
  initial: Iterable<readonly [K, V]> = [],
): FirstSeenMap<K, V> {
  const values = new Map<K, V>()
  let order: K[] = []
  let head = 0
  const map: FirstSeenMap<K, V> = {
    get: (key) => values.get(key),
    set(key, value) {
      if (!values.has(key)) {
        order.push(key)
        while (values.size >= max && head < order.length - 1) values.delete(order[head++] as K)
        // Compacted once the head has passed as many keys as are kept: amortised O(1).
        if (head > max) {
          order = order.slice(head)
          head = 0
        }
      }
      values.set(key, value)
    },
    get size() {
      return values.size
    },
    keys: () => order.slice(head),
  }
  for (const [key, value] of initial) map.set(key, value)
  return map
}
