import { isDelivered } from '../model/delivery'
import { trieForEach, trieGet } from '../model/structures/hashTrie'
import type { QueueItemExecution } from '../model/types'
import type { InvocationOutputReceivedPayload, OutputSource } from '../slice/types'

/** The output of one completed copy, if it has not been delivered yet. */
export function undeliveredOutput(
  item: QueueItemExecution,
  preparedId: string,
  via: OutputSource,
): InvocationOutputReceivedPayload | null {
  const copy = trieGet(item.copies, preparedId)
  if (copy?.status !== 'completed' || !copy.output || isDelivered(item, preparedId)) return null
  return {
    itemId: item.itemId,
    preparedId,
    sourceNodeId: copy.sourceNodeId,
    output: copy.output,
    origin: item.origin,
    destination: item.destination,
    via,
  }
}

/** Every output of the item not delivered yet, orphans included, in execution order. */
export function undeliveredOutputs(
  item: QueueItemExecution,
  history: readonly string[],
): InvocationOutputReceivedPayload[] {
  // First position wins, as for node outputs: an id can stand twice (a prepared id equal to a source id).
  const rank = new Map<string, number>()
  history.forEach((id, index) => {
    if (!rank.has(id)) rank.set(id, index)
  })
  const pending: InvocationOutputReceivedPayload[] = []
  trieForEach(item.copies, (_copy, preparedId) => {
    const payload = undeliveredOutput(item, preparedId, 'reconciliation')
    if (payload) pending.push(payload)
  })
  for (const orphan of item.orphanOutputs) {
    if (isDelivered(item, orphan.preparedId)) continue
    pending.push({
      itemId: item.itemId,
      preparedId: orphan.preparedId,
      sourceNodeId: null,
      output: orphan.output,
      origin: item.origin,
      destination: item.destination,
      via: 'reconciliation',
    })
  }
  const order = (payload: InvocationOutputReceivedPayload) =>
    rank.get(payload.preparedId) ?? Number.MAX_SAFE_INTEGER
  return pending.sort((a, b) => order(a) - order(b))
}
