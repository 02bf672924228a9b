// The history: finished prompts in completion order, in memory and bounded (the oldest go first), as
// core keeps it. Deleted, evicted or never-finished prompts are simply absent.
import type { HistoryEntry } from './types'

export const DEFAULT_MAX_HISTORY = 10000

export type History = ReturnType<typeof createHistory>

export function createHistory(maxHistory: number = DEFAULT_MAX_HISTORY) {
  if (!Number.isSafeInteger(maxHistory) || maxHistory < 1) {
    throw new Error(`maxHistory must be a positive integer, not ${maxHistory}`)
  }
  // Insertion order is completion order: the first key is the oldest entry.
  const entries = new Map<string, HistoryEntry>()

  return {
    set(promptId: string, entry: HistoryEntry) {
      entries.delete(promptId)
      entries.set(promptId, entry)
      for (const oldest of entries.keys()) {
        if (entries.size <= maxHistory) break
        entries.delete(oldest)
      }
    },
    get: (promptId: string) => entries.get(promptId),
    has: (promptId: string) => entries.has(promptId),
    delete: (promptId: string) => entries.delete(promptId),
    clear: () => entries.clear(),
    /**
     * `GET /history`: with an offset, `maxItems` entries from there (oldest first); without, the last
     * `maxItems`; with neither, everything.
     */
    list(maxItems: number | null, offset: number | null): Array<[string, HistoryEntry]> {
      const all = [...entries]
      if (offset !== null) return all.slice(offset, maxItems === null ? undefined : offset + maxItems)
      return maxItems === null ? all : all.slice(Math.max(0, all.length - maxItems))
    },
    all: () => [...entries],
  }
}
