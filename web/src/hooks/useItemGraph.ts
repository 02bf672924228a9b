import { useEffect, useState } from 'react'
import type { GraphNodeInfo, ServerApi } from '../session/api'

const NO_NODES: readonly GraphNodeInfo[] = Object.freeze([])

interface ItemGraph {
  itemId: number
  nodes: GraphNodeInfo[]
}

/**
 * The graph nodes of a queue item, fetched once per item: the engine knows a node only once an event
 * names it, the graph shows the nodes still waiting and each node's type. An item the server no longer
 * has simply shows the nodes the engine saw.
 */
export function useItemGraph(api: ServerApi, itemId: number | undefined): readonly GraphNodeInfo[] {
  const [graph, setGraph] = useState<ItemGraph | null>(null)
  useEffect(() => {
    if (itemId === undefined) return
    const controller = new AbortController()
    api.graphNodes(itemId, controller.signal).then(
      (nodes) => setGraph({ itemId, nodes }),
      () => {
        if (!controller.signal.aborted) setGraph({ itemId, nodes: [] })
      },
    )
    return () => controller.abort()
  }, [api, itemId])
  return graph && graph.itemId === itemId ? graph.nodes : NO_NODES
}
