import { trieGet } from '../../features/workflowExecution/model/structures/hashTrie'
import { itemOf } from '../../features/workflowExecution/slice/items'
import type { WithWorkflowExecution } from '../../features/workflowExecution/slice/selectors'

/** The item id the engine gave a prompt (every selector and hook takes item ids). */
export const selectItemIdOfPrompt = (state: WithWorkflowExecution, promptId: string): number | undefined =>
  trieGet(state.workflowExecution.itemIdByRunKey, promptId)

/** The prompt id of a tracked item (its session id). */
export const selectPromptIdOfItem = (state: WithWorkflowExecution, itemId: number): string | null =>
  itemOf(state.workflowExecution.items, itemId)?.sessionId ?? null
