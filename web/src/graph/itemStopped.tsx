import { createContext, useContext, type ReactNode } from 'react'
import { isTerminalStatus } from '../../../src'
import { useQueueItemExecution } from '../../../src/react'

/*
 * Whether the shown item stopped (completed, failed or canceled): a node without a record then never
 * ran. Handed down by context, so the nodes re-render once when the item stops, not on every event of
 * the item as each reading the item would.
 */
const ItemStoppedContext = createContext(false)

export function useItemStopped(): boolean {
  return useContext(ItemStoppedContext)
}

/** Re-renders on every event of its item, but its children (the same elements) only when `stopped` flips. */
export function ItemStoppedProvider({ itemId, children }: { itemId: number; children: ReactNode }) {
  const stopped = isTerminalStatus(useQueueItemExecution(itemId)?.status ?? null)
  return <ItemStoppedContext.Provider value={stopped}>{children}</ItemStoppedContext.Provider>
}
