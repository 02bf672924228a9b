import { apiPromptOf, type ApiPrompt } from './workflow'

const PROMPTS_KEY = 'workflow-execution/comfyui-prompts'

/** Prompts kept (the newest): what a reload may still want to draw, not a history. */
const MAX_PROMPTS = 20

/**
 * The API prompts this tab submitted, by prompt id: the graph of a run is the prompt the page sent. Kept
 * in sessionStorage too, so a reload (same clientId, the run heard again) still draws the graph.
 */
export function createPromptBook(storage: Pick<Storage, 'getItem' | 'setItem'> | null) {
  const book = new Map<string, ApiPrompt>(load(storage))
  return {
    get: (promptId: string): ApiPrompt | undefined => book.get(promptId),
    remember(promptId: string, prompt: ApiPrompt) {
      book.delete(promptId)
      book.set(promptId, prompt)
      while (book.size > MAX_PROMPTS) book.delete(book.keys().next().value as string)
      try {
        storage?.setItem(PROMPTS_KEY, JSON.stringify([...book]))
      } catch {
        // Full or disabled storage: the page still has the prompt until it reloads.
      }
    },
  }
}

export type PromptBook = ReturnType<typeof createPromptBook>

function load(storage: Pick<Storage, 'getItem'> | null): [string, ApiPrompt][] {
  try {
    const kept: unknown = JSON.parse(storage?.getItem(PROMPTS_KEY) ?? '[]')
    if (!Array.isArray(kept)) return []
    return kept.flatMap((entry: unknown) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') return []
      const prompt = apiPromptOf(entry[1])
      return prompt ? [[entry[0], prompt] as [string, ApiPrompt]] : []
    })
  } catch {
    return []
  }
}
