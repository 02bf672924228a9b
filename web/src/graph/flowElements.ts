import type { Edge, Node } from '@xyflow/react'
import type { ItemGraph } from './itemGraph'
import { layerNodes, positionsOf } from './layout'

/** What a drawn node carries: ids only, so its component reads its state through the per-node hooks. */
export type ExecutionNodeData = {
  itemId: number
  nodeId: string
  nodeType: string
}

export type ExecutionFlowNode = Node<ExecutionNodeData, 'execution'>

export interface FlowElements {
  nodes: ExecutionFlowNode[]
  edges: Edge[]
}

/** Room per node: nodes are drawn 240 px wide (60 px between layers), their previews and outputs bounded in height (styles.css). */
export const GRAPH_SPACING = { columnWidth: 240, rowHeight: 300 } as const

/**
 * The React Flow elements of one item's graph, laid out left to right, plus the nodes the engine saw
 * that the graph does not list (`extraNodeIds`, drawn unconnected). Built once per graph: events never
 * rebuild them, each node's component follows its own node.
 */
export function flowElementsOf(
  itemId: number,
  graph: ItemGraph | null,
  extraNodeIds: readonly string[],
): FlowElements {
  const listed = graph?.nodes ?? []
  const known = new Set(listed.map((node) => node.id))
  const all = [...listed, ...extraNodeIds.filter((id) => !known.has(id)).map((id) => ({ id, type: 'node' }))]
  const graphEdges = graph?.edges ?? []
  const positions = positionsOf(
    layerNodes(
      all.map((node) => node.id),
      graphEdges,
    ),
    GRAPH_SPACING,
  )
  const nodes = all.map((node): ExecutionFlowNode => ({
    id: node.id,
    type: 'execution',
    position: positions.get(node.id) ?? { x: 0, y: 0 },
    data: { itemId, nodeId: node.id, nodeType: node.type },
    draggable: false,
    connectable: false,
    selectable: false,
  }))
  const edges = graphEdges.map((edge): Edge => ({
    id: edge.id,
    source: edge.source,
    target: edge.target,
    ariaLabel: `${edge.sourceField} → ${edge.targetField}`,
  }))
  return { nodes, edges }
}

/** Node ids the engine saw that the graph does not list, in first-seen order. */
export function extraNodeIdsOf(graph: ItemGraph | null, seenIds: readonly string[]): string[] {
  if (graph === null) return [...seenIds]
  const listed = new Set(graph.nodes.map((node) => node.id))
  return seenIds.filter((id) => !listed.has(id))
}
