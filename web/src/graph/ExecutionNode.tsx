import { Handle, Position, type NodeProps } from '@xyflow/react'
import { memo } from 'react'
import { NodeCard } from '../components/NodeCard'
import type { ExecutionFlowNode } from './flowElements'

function ExecutionNodeView({ data }: NodeProps<ExecutionFlowNode>) {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <NodeCard itemId={data.itemId} nodeId={data.nodeId} type={data.nodeType} />
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </>
  )
}

/**
 * A graph node as React Flow draws it. React Flow re-renders a node when it is measured or moved; the
 * card inside follows its own node through the engine's hooks, so only the ids in `data` matter here.
 */
export const ExecutionNode = memo(ExecutionNodeView, (before, after) => before.data === after.data)
