import { useEffect, useState } from 'react'
import { useSelector } from 'react-redux'
import type { WithWorkflowExecution } from '../../../src'
import { selectPromptIdOfItem } from '../../../src/comfyui'
import type { ItemGraph } from '../graph/itemGraph'
import type { ComfySession } from './createComfySession'
import { graphOfPrompt } from './workflow'

interface FetchedGraph {
  promptId: string
  graph: ItemGraph | null
}

/**
 * The graph of an item's prompt: the API prompt this tab submitted (kept across reloads), else the one
 * the server holds for it (its history entry or queue: a prompt of another client), asked once per
 * prompt. Null until known, and for a prompt the server no longer has (the page then draws the nodes the
 * engine saw). The same object for as long as the item shows the same prompt.
 */
export function useComfyGraph(session: ComfySession, itemId: number): ItemGraph | null {
  const promptId = useSelector((state: WithWorkflowExecution) => selectPromptIdOfItem(state, itemId))
  const [fetched, setFetched] = useState<FetchedGraph | null>(null)
  const local = promptId === null ? undefined : session.prompts.get(promptId)
  useEffect(() => {
    if (promptId === null) return
    const kept = session.prompts.get(promptId)
    if (kept) return setFetched({ promptId, graph: graphOfPrompt(kept) })
    const controller = new AbortController()
    session.api.promptOf(promptId, controller.signal).then(
      (prompt) => setFetched({ promptId, graph: graphOfPrompt(prompt) }),
      () => {
        if (!controller.signal.aborted) setFetched({ promptId, graph: null })
      },
    )
    return () => controller.abort()
  }, [session, promptId, local])
  return fetched !== null && fetched.promptId === promptId ? fetched.graph : null
}
