import { emptyTrie, trieDelete, trieGet, trieSet, type HashTrie } from '../model/structures/hashTrie'
import type { QueueItemExecution } from '../model/types'

/**
 * The tracked items: ids in the order they were first seen, and the items in a hash trie. A record keyed
 * by item id would be copied whole on every event, and server ids (thousands, sparse, some evicted) put
 * such a record in V8's dictionary mode, where one spread of 100 items costs tens of microseconds.
 */
export interface ItemTable {
  readonly ids: number[]
  readonly byId: HashTrie<QueueItemExecution>
}

export function emptyItemTable(): ItemTable {
  return { ids: [], byId: emptyTrie() }
}

export function itemOf(items: ItemTable, itemId: number): QueueItemExecution | undefined {
  return trieGet(items.byId, String(itemId))
}

/** Every tracked item, in first-seen order. */
export function itemsOf(items: ItemTable): QueueItemExecution[] {
  return items.ids.map((id) => itemOf(items, id) as QueueItemExecution)
}

/** The table with `item` stored under its id (appended to the order when new). */
export function withItem(items: ItemTable, item: QueueItemExecution, isNew: boolean): ItemTable {
  return {
    ids: isNew ? [...items.ids, item.itemId] : items.ids,
    byId: trieSet(items.byId, String(item.itemId), item),
  }
}

export function withoutItems(items: ItemTable, victims: readonly number[]): ItemTable {
  const gone = new Set(victims)
  let byId = items.byId
  for (const id of victims) byId = trieDelete(byId, String(id))
  return { ids: items.ids.filter((id) => !gone.has(id)), byId }
}
