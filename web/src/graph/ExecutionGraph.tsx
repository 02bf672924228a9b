import {
  Background,
  Controls,
  ReactFlow,
  useReactFlow,
  useStore,
  type NodeTypes,
  type ReactFlowState,
} from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { useNodeIds } from '../../../src/react'
import { ExecutionNode } from './ExecutionNode'
import { extraNodeIdsOf, flowElementsOf, type ExecutionFlowNode } from './flowElements'
import type { ItemGraph } from './itemGraph'

// Outside any component: React Flow remounts every node when `nodeTypes` changes identity.
const NODE_TYPES: NodeTypes = Object.freeze({ execution: ExecutionNode })

const FIT_VIEW_OPTIONS = Object.freeze({ padding: 0.08 })

/** Measured nodes and their total size: changes when a node is measured or grows (an output came). */
function measuredSizes(state: ReactFlowState): string {
  let count = 0
  let width = 0
  let height = 0
  for (const node of state.nodeLookup.values()) {
    if (node.measured.width === undefined) continue
    count += 1
    width += node.measured.width
    height += node.measured.height ?? 0
  }
  return `${count}:${width}:${height}`
}

/**
 * Keeps the whole graph in view: fitted once every node is measured, and again as nodes grow during a
 * run, until the user pans or zooms (the fit-view button resumes it).
 */
function AutoFit({ nodes, enabled }: { nodes: readonly ExecutionFlowNode[]; enabled: boolean }) {
  const { fitView } = useReactFlow()
  const sizes = useStore(measuredSizes)
  const allMeasured = sizes.startsWith(`${nodes.length}:`)
  useEffect(() => {
    if (enabled && allMeasured && nodes.length > 0) void fitView(FIT_VIEW_OPTIONS)
  }, [enabled, allMeasured, sizes, nodes, fitView])
  return null
}

/**
 * The node ids the graph does not list, as one array per distinct list: `useNodeIds` changes on every
 * node the engine first sees, the drawn elements only when an unlisted one appears.
 */
function useExtraNodeIds(itemId: number, graph: ItemGraph | null): readonly string[] {
  const seenIds = useNodeIds(itemId)
  const key = JSON.stringify(extraNodeIdsOf(graph, seenIds))
  return useMemo(() => JSON.parse(key) as string[], [key])
}

/** One item's workflow graph, drawn left to right as the editor draws it, each node live. */
export function ExecutionGraph({ itemId, graph }: { itemId: number; graph: ItemGraph | null }) {
  const extraIds = useExtraNodeIds(itemId, graph)
  const { nodes, edges } = useMemo(() => flowElementsOf(itemId, graph, extraIds), [itemId, graph, extraIds])
  const [autoFit, setAutoFit] = useState(true)
  // A move with an event is the user's; the view's own fits come without one.
  const onMoveStart = useCallback((event: unknown) => {
    if (event) setAutoFit(false)
  }, [])
  const resumeAutoFit = useCallback(() => setAutoFit(true), [])
  return (
    <div className="graph" data-testid="graph" data-node-count={nodes.length} data-edge-count={edges.length}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        fitView
        fitViewOptions={FIT_VIEW_OPTIONS}
        minZoom={0.05}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        onMoveStart={onMoveStart}
      >
        <AutoFit nodes={nodes} enabled={autoFit} />
        <Background gap={24} />
        <Controls showInteractive={false} onFitView={resumeAutoFit} />
      </ReactFlow>
    </div>
  )
}
