/*
 * A persistent hash trie of plain objects and arrays, keyed by server-chosen ids (prepared ids of a
 * fan-out). Setting one key copies one path of at most 8 small nodes, so an update costs O(log n) whatever
 * the size, where spreading a record costs O(n) (and a record of 1,000+ keys falls into V8's slow
 * dictionary mode). Still plain, serializable data: DevTools and action replay see ordinary JSON. Leaves
 * keep keys and values in two arrays, not in an object keyed by ids: objects with one-off key sets each
 * cost V8 a hidden class, and a server id such as `__proto__` is just a string in an array.
 */

/** A leaf holds up to LEAF_CAPACITY entries; a branch has BRANCH_WIDTH children, chosen by 4 bits of hash. */
export type TrieNode<V> =
  | { readonly keys: readonly string[]; readonly values: readonly V[] }
  | { readonly branch: readonly (TrieNode<V> | null)[] }

export interface HashTrie<V> {
  readonly size: number
  readonly root: TrieNode<V>
}

const BITS = 4
const BRANCH_WIDTH = 1 << BITS
const LEAF_CAPACITY = 16
/** 32 bits of hash, 4 per level: below this depth a leaf just grows (full hash collisions only). */
const MAX_DEPTH = 8

const EMPTY_LEAF: TrieNode<never> = { keys: [], values: [] }

export function emptyTrie<V>(): HashTrie<V> {
  return { size: 0, root: EMPTY_LEAF }
}

/** FNV-1a: fast, and spreads uuid-like and sequential ids alike. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

const slot = (hash: number, depth: number) => (hash >>> (depth * BITS)) & (BRANCH_WIDTH - 1)

export function trieGet<V>(trie: HashTrie<V>, key: string): V | undefined {
  const hash = hashOf(key)
  let node: TrieNode<V> | null = trie.root
  for (let depth = 0; node !== null; depth += 1) {
    if ('keys' in node) {
      const index = node.keys.indexOf(key)
      return index === -1 ? undefined : node.values[index]
    }
    node = node.branch[slot(hash, depth)] ?? null
  }
  return undefined
}

export function trieHas<V>(trie: HashTrie<V>, key: string): boolean {
  return trieGet(trie, key) !== undefined
}

function split<V>(leaf: { keys: readonly string[]; values: readonly V[] }, depth: number): TrieNode<V> {
  const buckets: { keys: string[]; values: V[] }[] = []
  leaf.keys.forEach((key, index) => {
    const bucket = (buckets[slot(hashOf(key), depth)] ??= { keys: [], values: [] })
    bucket.keys.push(key)
    bucket.values.push(leaf.values[index] as V)
  })
  const branch: (TrieNode<V> | null)[] = []
  for (let index = 0; index < BRANCH_WIDTH; index += 1) branch.push(buckets[index] ?? null)
  return { branch }
}

function setIn<V>(
  node: TrieNode<V> | null,
  key: string,
  hash: number,
  value: V,
  depth: number,
  added: { count: number },
): TrieNode<V> {
  if (node === null) {
    added.count = 1
    return { keys: [key], values: [value] }
  }
  if ('keys' in node) {
    const index = node.keys.indexOf(key)
    if (index !== -1) {
      if (node.values[index] === value) return node
      const values = node.values.slice()
      values[index] = value
      return { keys: node.keys, values }
    }
    if (depth < MAX_DEPTH && node.keys.length >= LEAF_CAPACITY)
      return setIn(split(node, depth), key, hash, value, depth, added)
    added.count = 1
    return { keys: [...node.keys, key], values: [...node.values, value] }
  }
  const index = slot(hash, depth)
  const child = node.branch[index] ?? null
  const nextChild = setIn(child, key, hash, value, depth + 1, added)
  if (nextChild === child) return node
  const branch = node.branch.slice()
  branch[index] = nextChild
  return { branch }
}

/** The trie with `key` set to `value`; the same trie when nothing changes. */
export function trieSet<V>(trie: HashTrie<V>, key: string, value: V): HashTrie<V> {
  const added = { count: 0 }
  const root = setIn(trie.root, key, hashOf(key), value, 0, added)
  return root === trie.root ? trie : { size: trie.size + added.count, root }
}

function deleteIn<V>(node: TrieNode<V>, key: string, hash: number, depth: number): TrieNode<V> | null {
  if ('keys' in node) {
    const index = node.keys.indexOf(key)
    if (index === -1) return node
    if (node.keys.length === 1) return null
    return {
      keys: node.keys.filter((_key, at) => at !== index),
      values: node.values.filter((_value, at) => at !== index),
    }
  }
  const index = slot(hash, depth)
  const child = node.branch[index] ?? null
  if (child === null) return node
  const nextChild = deleteIn(child, key, hash, depth + 1)
  if (nextChild === child) return node
  const branch = node.branch.slice()
  branch[index] = nextChild
  return branch.every((entry) => entry === null) ? null : { branch }
}

/** The trie without `key`; the same trie when it has no such key. */
export function trieDelete<V>(trie: HashTrie<V>, key: string): HashTrie<V> {
  const root = deleteIn(trie.root, key, hashOf(key), 0)
  if (root === trie.root) return trie
  return { size: trie.size - 1, root: root ?? (EMPTY_LEAF as TrieNode<V>) }
}

/** Every entry, in no particular order. */
export function trieForEach<V>(trie: HashTrie<V>, visit: (value: V, key: string) => void): void {
  const stack: TrieNode<V>[] = [trie.root]
  while (stack.length > 0) {
    const node = stack.pop() as TrieNode<V>
    if ('keys' in node) {
      node.keys.forEach((key, index) => visit(node.values[index] as V, key))
    } else {
      for (const child of node.branch) if (child !== null) stack.push(child)
    }
  }
}

export function trieValues<V>(trie: HashTrie<V>): V[] {
  const values: V[] = []
  trieForEach(trie, (value) => values.push(value))
  return values
}

/** Sets many entries at once: one pass, for snapshots and bulk cancels (linear in what is set). */
export function trieSetAll<V>(trie: HashTrie<V>, entries: Iterable<readonly [string, V]>): HashTrie<V> {
  let next = trie
  for (const [key, value] of entries) next = trieSet(next, key, value)
  return next
}

/** Builds a trie from entries (later ones win) in one linear pass: no path is copied. */
export function trieFrom<V>(entries: Iterable<readonly [string, V]>): HashTrie<V> {
  const latest = entries instanceof Map ? (entries as Map<string, V>) : new Map<string, V>()
  if (latest !== entries) for (const [key, value] of entries) latest.set(key, value)
  const keys = [...latest.keys()]
  const hashes = keys.map(hashOf)
  const build = (indexes: number[], depth: number): TrieNode<V> => {
    if (indexes.length <= LEAF_CAPACITY || depth >= MAX_DEPTH)
      return {
        keys: indexes.map((index) => keys[index] as string),
        values: indexes.map((index) => latest.get(keys[index] as string) as V),
      }
    const buckets: number[][] = []
    for (const index of indexes) (buckets[slot(hashes[index] as number, depth)] ??= []).push(index)
    const branch: (TrieNode<V> | null)[] = []
    for (let child = 0; child < BRANCH_WIDTH; child += 1) {
      const bucket = buckets[child]
      branch.push(bucket ? build(bucket, depth + 1) : null)
    }
    return { branch }
  }
  return {
    size: keys.length,
    root: build(
      keys.map((_key, index) => index),
      0,
    ),
  }
}
