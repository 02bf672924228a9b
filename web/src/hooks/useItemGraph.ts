import { useEffect, useState } from 'react'
import { useSelector } from 'react-redux'
import { selectQueueItemExecution, type WithWorkflowExecution } from '../../../src'
import type { ItemGraph } from '../graph/itemGraph'
import type { ServerApi } from '../session/api'

interface FetchedGraph {
  itemId: number
  sessionId: string | null
  graph: ItemGraph | null
}

/**
 * The workflow graph of a queue item (nodes and edges), fetched once per item: the engine knows a node
 * only once an event names it, the graph shows the nodes still waiting, each node's type and the edges.
 * Null until it arrives, and for an item the server no longer has (the page then draws the nodes the
 * engine saw). The same object for as long as the item is shown, unless a new run takes its id (a wiped
 * server reuses ids): a new session is fetched again.
 */
export function useItemGraph(api: ServerApi, itemId: number | undefined): ItemGraph | null {
  const [fetched, setFetched] = useState<FetchedGraph | null>(null)
  // Only the session: the caller does not re-render on every progress event.
  const sessionId = useSelector((state: WithWorkflowExecution) =>
    itemId === undefined ? null : (selectQueueItemExecution(state, itemId)?.sessionId ?? null),
  )
  useEffect(() => {
    if (itemId === undefined) return
    const controller = new AbortController()
    api.itemGraph(itemId, controller.signal).then(
      (graph) => setFetched({ itemId, sessionId, graph }),
      () => {
        if (!controller.signal.aborted) setFetched({ itemId, sessionId, graph: null })
      },
    )
    return () => controller.abort()
  }, [api, itemId, sessionId])
  // A graph fetched before the session was known is the run the server had: kept until the new one comes.
  const current =
    fetched !== null &&
    fetched.itemId === itemId &&
    (fetched.sessionId === sessionId || fetched.sessionId === null)
  return current ? fetched.graph : null
}
