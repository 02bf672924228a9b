import { trieGet, trieHas, trieSet } from './structures/hashTrie'
import type { QueueItemExecution } from './types'

/*
 * Exactly once per (item, prepared id): a copy's delivery is a flag on the copy, an orphan's an entry of
 * its own trie; either one counts for the id, whichever way its output was learned.
 */

export function isDelivered(item: QueueItemExecution, preparedId: string): boolean {
  return trieGet(item.copies, preparedId)?.delivered === true || trieHas(item.deliveredOrphans, preparedId)
}

/** The item with the output of `preparedId` recorded as delivered; the same item if it already was. */
export function markDelivered(item: QueueItemExecution, preparedId: string): QueueItemExecution {
  if (isDelivered(item, preparedId)) return item
  const copy = trieGet(item.copies, preparedId)
  return copy
    ? { ...item, copies: trieSet(item.copies, preparedId, { ...copy, delivered: true }) }
    : { ...item, deliveredOrphans: trieSet(item.deliveredOrphans, preparedId, true as const) }
}
