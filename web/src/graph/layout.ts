/*
 * Left-to-right layering of a workflow graph, as an editor draws it: a node's layer is the longest path
 * to it from a source, so every edge points right. Pure and deterministic: the same graph always gets
 * the same picture, whatever the server's key order did between two fetches of it.
 */

export interface LayoutEdge {
  source: string
  target: string
}

export interface NodePlacement {
  /** Column: the longest path from a source (0 for a source). */
  layer: number
  /** Position within the layer, in the order the nodes were given. */
  row: number
}

/**
 * Layers `nodeIds` by longest path from the sources. Edges naming an unknown node, and self-loops, are
 * ignored; a cycle is broken at its first node in `nodeIds` order (its edges from the rest of the cycle
 * count as going back), so any input gets a placement for every node. O(nodes + edges).
 */
export function layerNodes(
  nodeIds: readonly string[],
  edges: readonly LayoutEdge[],
): Map<string, NodePlacement> {
  const index = new Map<string, number>()
  nodeIds.forEach((id) => {
    if (!index.has(id)) index.set(id, index.size)
  })
  const count = index.size
  const ids = [...index.keys()]
  const successors: number[][] = ids.map(() => [])
  const predecessors: number[][] = ids.map(() => [])
  const indegree = new Array<number>(count).fill(0)
  for (const edge of edges) {
    const from = index.get(edge.source)
    const to = index.get(edge.target)
    if (from === undefined || to === undefined || from === to) continue
    successors[from]?.push(to)
    predecessors[to]?.push(from)
    indegree[to] = (indegree[to] ?? 0) + 1
  }

  const layer = new Array<number>(count).fill(-1)
  const ready: number[] = []
  for (let i = 0; i < count; i += 1) if (indegree[i] === 0) ready.push(i)
  let head = 0
  let placed = 0
  let nextUnplaced = 0
  while (placed < count) {
    if (head === ready.length) {
      // Only cycles are left: break the first one at its earliest node.
      while (layer[nextUnplaced] !== -1) nextUnplaced += 1
      ready.push(nextUnplaced)
      indegree[nextUnplaced] = 0
    }
    const node = ready[head] as number
    head += 1
    if (layer[node] !== -1) continue
    // Predecessors not placed yet are on a broken cycle: they do not push this node right.
    let depth = 0
    for (const from of predecessors[node] ?? []) {
      const fromLayer = layer[from] ?? -1
      if (fromLayer >= depth) depth = fromLayer + 1
    }
    layer[node] = depth
    placed += 1
    for (const to of successors[node] ?? []) {
      indegree[to] = (indegree[to] ?? 0) - 1
      if (indegree[to] === 0 && layer[to] === -1) ready.push(to)
    }
  }

  const rows: number[] = []
  const placements = new Map<string, NodePlacement>()
  ids.forEach((id, i) => {
    const column = layer[i] ?? 0
    const row = rows[column] ?? 0
    rows[column] = row + 1
    placements.set(id, { layer: column, row })
  })
  return placements
}

export interface GridSpacing {
  /** Distance between the left edges of two layers. */
  columnWidth: number
  /** Distance between the top edges of two rows of a layer. */
  rowHeight: number
}

/** Top-left corners on a grid: one column per layer, one row per node of the layer. */
export function positionsOf(
  placements: ReadonlyMap<string, NodePlacement>,
  spacing: GridSpacing,
): Map<string, { x: number; y: number }> {
  const positions = new Map<string, { x: number; y: number }>()
  for (const [id, { layer, row }] of placements) {
    positions.set(id, { x: layer * spacing.columnWidth, y: row * spacing.rowHeight })
  }
  return positions
}
