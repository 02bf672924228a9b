import {
  Background,
  Controls,
  Handle,
  Position,
  ReactFlow,
  useReactFlow,
  useStore,
  type NodeProps,
  type NodeTypes,
  type ReactFlowState,
} from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { memo, useCallback, useEffect, useMemo, useState } from 'react'
import { useNodeIds } from '../../../src/react'
import { extraNodeIdsOf, flowElementsOf, type ExecutionFlowNode } from '../graph/flowElements'
import type { ItemGraph } from '../graph/itemGraph'
import { ComfyNodeCard } from './ComfyNodeCard'

/*
 * The run's graph, drawn as the InvokeAI page draws its own: the same neutral graph model
 * (graph/itemGraph.ts), the same left-to-right layout and React Flow elements (graph/flowElements.ts,
 * graph/layout.ts); only the node card is ComfyUI's (its outputs are UI outputs served by `/view`, and a
 * node may come from cache).
 */

function ComfyFlowNodeView({ data }: NodeProps<ExecutionFlowNode>) {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <ComfyNodeCard itemId={data.itemId} nodeId={data.nodeId} type={data.nodeType} />
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  )
}

/** Only the ids in `data` matter: the card follows its node through the engine's hooks. */
const ComfyFlowNode = memo(ComfyFlowNodeView, (before, after) => before.data === after.data)

// Outside any component: React Flow remounts every node when `nodeTypes` changes identity.
const NODE_TYPES: NodeTypes = Object.freeze({ execution: ComfyFlowNode })

const FIT_VIEW_OPTIONS = Object.freeze({ padding: 0.08 })

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

/** Keeps the whole graph in view as nodes are measured and grow, until the user pans or zooms. */
function AutoFit({ nodes, enabled }: { nodes: readonly ExecutionFlowNode[]; enabled: boolean }) {
  const { fitView } = useReactFlow()
  const sizes = useStore(measuredSizes)
  const allMeasured = sizes.startsWith(`${nodes.length}:`)
  useEffect(() => {
    if (enabled && allMeasured && nodes.length > 0) void fitView(FIT_VIEW_OPTIONS)
  }, [enabled, allMeasured, sizes, nodes, fitView])
  return null
}

/** Node ids the engine saw that the prompt does not list, one array per distinct list. */
function useExtraNodeIds(itemId: number, graph: ItemGraph | null): readonly string[] {
  const seenIds = useNodeIds(itemId)
  const key = JSON.stringify(extraNodeIdsOf(graph, seenIds))
  return useMemo(() => JSON.parse(key) as string[], [key])
}

export function ComfyGraph({ itemId, graph }: { itemId: number; graph: ItemGraph | null }) {
  const extraIds = useExtraNodeIds(itemId, graph)
  const { nodes, edges } = useMemo(() => flowElementsOf(itemId, graph, extraIds), [itemId, graph, extraIds])
  const [autoFit, setAutoFit] = useState(true)
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
