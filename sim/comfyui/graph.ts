// The API-format prompt as a graph: links, cycles, what an output needs, the order nodes run in and
// the cache signature of a node (its class and inputs, upstream included).
import type { ApiPrompt } from './types'

/** A link input `[node_id, output_index]`, or null. Node ids are strings; a numeric id is read as one. */
export function linkOf(value: unknown): [string, number] | null {
  if (!Array.isArray(value) || value.length !== 2) return null
  const [node, index] = value as [unknown, unknown]
  if (typeof node !== 'string' && typeof node !== 'number') return null
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) return null
  return [String(node), index]
}

/** The nodes a node links from (to nodes of the prompt or not), in input order. */
export function sourcesOf(prompt: ApiPrompt, id: string): string[] {
  const inputs = prompt[id]?.inputs ?? {}
  return Object.values(inputs).flatMap((value) => {
    const link = linkOf(value)
    return link ? [link[0]] : []
  })
}

/** Numeric-aware: "3" < "10" < "10:2", as a person reads node ids. */
export const compareIds = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true })

/** Some nodes that form a cycle (through links between nodes of the prompt), or null. */
export function findCycle(prompt: ApiPrompt): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>()
  const path: string[] = []
  const visit = (id: string): string[] | null => {
    const seen = state.get(id)
    if (seen === 'done') return null
    if (seen === 'visiting') return path.slice(path.indexOf(id))
    state.set(id, 'visiting')
    path.push(id)
    for (const source of sourcesOf(prompt, id)) {
      if (!Object.hasOwn(prompt, source)) continue
      const cycle = visit(source)
      if (cycle) return cycle
    }
    path.pop()
    state.set(id, 'done')
    return null
  }
  for (const id of Object.keys(prompt).sort(compareIds)) {
    const cycle = visit(id)
    if (cycle) return cycle
  }
  return null
}

/** `roots` and everything upstream of them (the prompt must have no cycle). */
export function upstreamOf(prompt: ApiPrompt, roots: Iterable<string>): Set<string> {
  const found = new Set<string>()
  const stack = [...roots]
  while (stack.length > 0) {
    const id = stack.pop() as string
    if (found.has(id) || !Object.hasOwn(prompt, id)) continue
    found.add(id)
    stack.push(...sourcesOf(prompt, id))
  }
  return found
}

/**
 * The nodes a run visits, in the order it runs them: the outputs, and upstream of every node that is
 * not cached (a cached node's own inputs are not needed). Cached upstream nodes are not visited at all;
 * a cached output is. Ties go to the lower id, so the order is stable.
 */
export function executionOrder(prompt: ApiPrompt, outputs: readonly string[], cached: ReadonlySet<string>) {
  const visited = new Set<string>()
  const stack = [...outputs]
  while (stack.length > 0) {
    const id = stack.pop() as string
    if (visited.has(id)) continue
    visited.add(id)
    if (cached.has(id)) continue
    stack.push(...sourcesOf(prompt, id).filter((source) => !cached.has(source)))
  }
  const waiting = new Map(
    [...visited].map((id) => [
      id,
      new Set(cached.has(id) ? [] : sourcesOf(prompt, id).filter((s) => visited.has(s))),
    ]),
  )
  const order: string[] = []
  while (waiting.size > 0) {
    const ready = [...waiting].filter(([, sources]) => sources.size === 0).map(([id]) => id)
    const next = ready.sort(compareIds)[0]
    if (next === undefined) throw new Error('cycle in a validated prompt')
    waiting.delete(next)
    waiting.forEach((sources) => sources.delete(next))
    order.push(next)
  }
  return order
}

/** JSON with sorted keys: deep-equal values give equal strings. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonical(field)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** Each node's cache key: its class and inputs, a link replaced by the linked node's key and output index. */
export function signaturesOf(prompt: ApiPrompt): Map<string, string> {
  const memo = new Map<string, string>()
  const signature = (id: string): string => {
    const known = memo.get(id)
    if (known !== undefined) return known
    const node = prompt[id]
    const inputs = Object.fromEntries(
      Object.entries(node?.inputs ?? {}).map(([name, value]) => {
        const link = linkOf(value)
        return [name, link ? { from: signature(link[0]), output: link[1] } : value]
      }),
    )
    const key = canonical({ class_type: node?.class_type ?? null, inputs })
    memo.set(id, key)
    return key
  }
  for (const id of Object.keys(prompt)) signature(id)
  return memo
}
