// Graph checks, topological order and preparation: how source nodes become prepared execution copies,
// iterate fan-out included (one copy per element for an iterate node and everything downstream of it).
import { unprocessable } from './errors'
import { nodeDefinitions, WORKFLOW_CALL } from './nodes'
import { uuid } from './random'
import type { Graph, GraphEdge, GraphNode, JsonObject } from './types'

/** Which element of which iterate node a copy belongs to, outermost first. */
export type IterationPath = ReadonlyArray<readonly [iterateSourceId: string, index: number]>

export interface PreparedCopy {
  id: string
  sourceId: string
  node: GraphNode
  path: IterationPath
  /** Set on iterate copies: the element this copy hands downstream. */
  iteration?: { item: unknown; index: number; total: number }
  /** Edges of the execution graph that feed this copy. */
  edges: GraphEdge[]
  /** Set when preparation found the inputs unusable: the copy fails without starting. */
  inputError?: string
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isName = (value: unknown): value is string => typeof value === 'string' && value.length > 0

function parseEdgeEnd(value: unknown, where: string): { node_id: string; field: string } {
  if (!isObject(value) || !isName(value.node_id) || !isName(value.field)) {
    throw unprocessable(`${where} must be {node_id: string, field: string}`)
  }
  return { node_id: value.node_id, field: value.field }
}

/** How deep workflow calls may nest (the session's max_workflow_call_depth). */
export const MAX_WORKFLOW_CALL_DEPTH = 4

/**
 * Checks a submitted graph and returns a normalized copy (defaults the server would fill in). The graph of
 * a workflow_call node is checked the same way, `depth` levels down.
 */
export function parseGraph(value: unknown, depth = 0): Graph {
  if (!isObject(value)) throw unprocessable('batch.graph must be an object')
  if (value.id !== undefined && !isName(value.id)) throw unprocessable('batch.graph.id must be a string')
  if (!isObject(value.nodes)) throw unprocessable('batch.graph.nodes must be an object of nodes by id')
  if (value.edges !== undefined && !Array.isArray(value.edges)) {
    throw unprocessable('batch.graph.edges must be a list')
  }
  const nodes: Record<string, GraphNode> = {}
  for (const [key, raw] of Object.entries(value.nodes)) {
    if (!isObject(raw)) throw unprocessable(`node ${key} must be an object`)
    if (raw.id !== undefined && raw.id !== key)
      throw unprocessable(`node ${key} has a different id (${String(raw.id)})`)
    if (!isName(raw.type)) throw unprocessable(`node ${key} has no type`)
    if (!(raw.type in nodeDefinitions)) {
      throw unprocessable(`node ${key} has type '${raw.type}', which the simulator cannot run`)
    }
    const { id: _id, type, is_intermediate, use_cache, ...fields } = structuredClone(raw)
    nodes[key] = {
      id: key,
      is_intermediate: is_intermediate === true,
      // The server's iterate node defaults to use_cache false, every other node to true.
      use_cache: typeof use_cache === 'boolean' ? use_cache : type !== 'iterate',
      ...fields,
      type: type as string,
    }
  }
  if (Object.keys(nodes).length === 0) throw unprocessable('batch.graph.nodes is empty')

  const edges = ((value.edges as unknown[] | undefined) ?? []).map((raw, i) => {
    if (!isObject(raw)) throw unprocessable(`edge ${i} must be an object`)
    const edge = {
      source: parseEdgeEnd(raw.source, `edge ${i} source`),
      destination: parseEdgeEnd(raw.destination, `edge ${i} destination`),
    }
    for (const end of [edge.source, edge.destination]) {
      if (!nodes[end.node_id]) throw unprocessable(`edge ${i} refers to unknown node ${end.node_id}`)
    }
    if (edge.source.node_id === edge.destination.node_id) throw unprocessable(`edge ${i} is a self-loop`)
    return edge
  })

  const inputs = new Set<string>()
  for (const edge of edges) {
    const key = `${edge.destination.node_id}.${edge.destination.field}`
    const many = nodes[edge.destination.node_id]?.type === 'collect' && edge.destination.field === 'item'
    if (inputs.has(key) && !many) throw unprocessable(`input ${key} has more than one incoming edge`)
    inputs.add(key)
  }
  for (const node of Object.values(nodes)) {
    if (node.type === WORKFLOW_CALL) {
      if (depth + 1 > MAX_WORKFLOW_CALL_DEPTH) {
        throw unprocessable(`workflow calls nest deeper than ${MAX_WORKFLOW_CALL_DEPTH} at node ${node.id}`)
      }
      try {
        node.graph = parseGraph(node.graph, depth + 1)
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error)
        throw unprocessable(`workflow_call node ${node.id}: ${detail}`)
      }
    }
    if (node.type === 'iterate' && !inputs.has(`${node.id}.collection`) && !Array.isArray(node.collection)) {
      throw unprocessable(`iterate node ${node.id} has no collection (no edge and no list)`)
    }
  }

  const graph: Graph = { id: isName(value.id) ? value.id : uuid(), nodes, edges }
  topologicalOrder(graph)
  return graph
}

/** Source node ids in dependency order; ties keep the order in which nodes were given. */
export function topologicalOrder(graph: Graph): string[] {
  const ids = Object.keys(graph.nodes)
  const indegree = new Map(ids.map((id) => [id, 0]))
  const children = new Map<string, string[]>(ids.map((id) => [id, []]))
  const seen = new Set<string>()
  for (const edge of graph.edges) {
    const pair = `${edge.source.node_id}>${edge.destination.node_id}`
    if (seen.has(pair)) continue
    seen.add(pair)
    indegree.set(edge.destination.node_id, (indegree.get(edge.destination.node_id) ?? 0) + 1)
    children.get(edge.source.node_id)?.push(edge.destination.node_id)
  }
  const order: string[] = []
  const ready = ids.filter((id) => indegree.get(id) === 0)
  while (ready.length > 0) {
    const id = ready.shift() as string
    order.push(id)
    for (const child of children.get(id) ?? []) {
      const left = (indegree.get(child) ?? 0) - 1
      indegree.set(child, left)
      if (left === 0) ready.push(child)
    }
    // Keep the given node order among nodes that became ready together.
    ready.sort((a, b) => ids.indexOf(a) - ids.indexOf(b))
  }
  if (order.length !== ids.length) throw unprocessable('batch.graph has a cycle')
  return order
}

function compatible(a: IterationPath, b: IterationPath): boolean {
  return a.every(([id, index]) => b.every(([other, otherIndex]) => other !== id || otherIndex === index))
}

function merge(a: IterationPath, b: IterationPath): IterationPath {
  return [...a, ...b.filter(([id]) => !a.some(([other]) => other === id))]
}

interface Context {
  path: IterationPath
  picks: Map<string, PreparedCopy>
}

/**
 * Prepares the copies of one source node once all its parents ran: one copy per consistent combination
 * of parent copies (same element of every shared iterate), one per element for an iterate node, and
 * one per outer iteration for a collect node.
 */
export function prepareSource(
  graph: Graph,
  sourceId: string,
  copiesBySource: ReadonlyMap<string, PreparedCopy[]>,
  results: Record<string, JsonObject>,
): PreparedCopy[] {
  const source = graph.nodes[sourceId] as GraphNode
  const incoming = graph.edges.filter((edge) => edge.destination.node_id === sourceId)
  const parents = [...new Set(incoming.map((edge) => edge.source.node_id))]
  const valueOf = (copy: PreparedCopy | undefined, field: string) => copy && results[copy.id]?.[field]

  if (source.type === 'collect') {
    const groups = new Map<string, { path: IterationPath; picks: PreparedCopy[] }>()
    for (const parent of parents) {
      for (const copy of copiesBySource.get(parent) ?? []) {
        const path = copy.path.slice(0, -1)
        const key = JSON.stringify(path)
        const group = groups.get(key) ?? { path, picks: [] }
        group.picks.push(copy)
        groups.set(key, group)
      }
    }
    return [...groups.values()].map(({ path, picks }) => {
      const id = uuid()
      const itemEdges = incoming.filter((edge) => edge.destination.field === 'item')
      const collection = picks.flatMap((copy) =>
        itemEdges
          .filter((edge) => edge.source.node_id === copy.sourceId)
          .map((e) => valueOf(copy, e.source.field)),
      )
      const edges = picks.flatMap((copy) =>
        incoming
          .filter((edge) => edge.source.node_id === copy.sourceId)
          .map((edge) => ({
            source: { ...edge.source, node_id: copy.id },
            destination: { ...edge.destination, node_id: id },
          })),
      )
      return { id, sourceId, node: { ...structuredClone(source), id, collection }, path, edges }
    })
  }

  let contexts: Context[] = [{ path: [], picks: new Map() }]
  for (const parent of parents) {
    const next: Context[] = []
    for (const context of contexts) {
      for (const copy of copiesBySource.get(parent) ?? []) {
        if (!compatible(context.path, copy.path)) continue
        next.push({ path: merge(context.path, copy.path), picks: new Map(context.picks).set(parent, copy) })
      }
    }
    contexts = next
  }

  const build = (context: Context, fill: boolean): PreparedCopy => {
    const id = uuid()
    const node: GraphNode = { ...structuredClone(source), id }
    const edges = incoming.map((edge) => {
      const pick = context.picks.get(edge.source.node_id) as PreparedCopy
      if (fill) node[edge.destination.field] = structuredClone(valueOf(pick, edge.source.field))
      return {
        source: { ...edge.source, node_id: pick.id },
        destination: { ...edge.destination, node_id: id },
      }
    })
    return { id, sourceId, node, path: context.path, edges }
  }

  if (source.type !== 'iterate') return contexts.map((context) => build(context, true))

  return contexts.flatMap((context): PreparedCopy[] => {
    const edge = incoming.find((e) => e.destination.field === 'collection')
    const collection = edge
      ? valueOf(context.picks.get(edge.source.node_id), edge.source.field)
      : source.collection
    if (!Array.isArray(collection)) {
      const copy = build(context, false)
      return [
        {
          ...copy,
          node: { ...copy.node, collection: [], index: 0 },
          inputError: 'collection must be a list',
        },
      ]
    }
    return collection.map((item, index) => {
      const copy = build(context, false)
      const path: IterationPath = [...context.path, [sourceId, index]]
      const node = { ...copy.node, collection: [], index }
      return { ...copy, node, path, iteration: { item, index, total: collection.length } }
    })
  })
}
