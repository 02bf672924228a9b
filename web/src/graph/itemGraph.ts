/*
 * The workflow graph of a queue item (`session.graph` of `GET …/queue/{q}/i/{id}`), read defensively:
 * the page draws whatever a server sends, so a wrong shape gives no graph, never a throw. Nothing here
 * walks a payload's depth: only the two levels the graph has.
 */

export interface GraphNodeInfo {
  id: string
  type: string
}

export interface GraphEdgeInfo {
  /** Unique per graph: both endpoints and both fields. */
  id: string
  source: string
  sourceField: string
  target: string
  targetField: string
}

export interface ItemGraph {
  nodes: GraphNodeInfo[]
  edges: GraphEdgeInfo[]
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

interface Endpoint {
  node: string
  field: string
}

function endpointOf(value: unknown): Endpoint | null {
  if (!isObject(value) || typeof value.node_id !== 'string') return null
  return { node: value.node_id, field: typeof value.field === 'string' ? value.field : '' }
}

function edgeOf(value: unknown): GraphEdgeInfo | null {
  if (!isObject(value)) return null
  const source = endpointOf(value.source)
  const target = endpointOf(value.destination)
  if (!source || !target) return null
  return {
    id: `${source.node}:${source.field}->${target.node}:${target.field}`,
    source: source.node,
    sourceField: source.field,
    target: target.node,
    targetField: target.field,
  }
}

/**
 * The graph's nodes (in the server's key order) and edges. `nodes` must be a record of objects and
 * `edges` a list of `{source, destination}` (missing: none), else there is no graph (null). Edges are
 * kept only between listed nodes, once each.
 */
export function itemGraphOf(queueItem: unknown): ItemGraph | null {
  const session = isObject(queueItem) ? queueItem.session : undefined
  const graph = isObject(session) ? session.graph : undefined
  if (!isObject(graph) || !isObject(graph.nodes)) return null
  const rawEdges = graph.edges ?? []
  if (!Array.isArray(rawEdges)) return null

  const nodes: GraphNodeInfo[] = []
  for (const [id, node] of Object.entries(graph.nodes)) {
    if (!isObject(node)) return null
    nodes.push({ id, type: typeof node.type === 'string' && node.type !== '' ? node.type : 'node' })
  }
  const known = new Set(nodes.map((node) => node.id))
  const edges = new Map<string, GraphEdgeInfo>()
  for (const raw of rawEdges) {
    const edge = edgeOf(raw)
    if (edge === null) return null
    if (known.has(edge.source) && known.has(edge.target) && !edges.has(edge.id)) edges.set(edge.id, edge)
  }
  return { nodes, edges: [...edges.values()] }
}
