import { isDelivered } from '../model/delivery'
import { trieForEach, trieGet, trieHas } from '../model/structures/hashTrie'
import type { QueueItemExecution } from '../model/types'
import type { InvocationOutputReceivedPayload, OutputSource } from '../slice/types'

/*
 * The reducer records a delivery in the same dispatch that makes an output known (a completion, a
 * snapshot); the listener announces exactly those: what is delivered after the action and was not before.
 */

function wasDelivered(before: QueueItemExecution | undefined, preparedId: string): boolean {
  return before !== undefined && isDelivered(before, preparedId)
}

/** The output of one copy, if this action delivered it. */
export function newlyDeliveredOutput(
  before: QueueItemExecution | undefined,
  after: QueueItemExecution,
  preparedId: string,
  via: OutputSource,
): InvocationOutputReceivedPayload | null {
  const copy = trieGet(after.copies, preparedId)
  if (copy?.status !== 'completed' || !copy.output || !copy.delivered || wasDelivered(before, preparedId))
    return null
  return {
    itemId: after.itemId,
    preparedId,
    sourceNodeId: copy.sourceNodeId,
    output: copy.output,
    origin: after.origin,
    destination: after.destination,
    invocationType: copy.invocationType ?? null,
    isIntermediate: copy.isIntermediate ?? null,
    userId: after.userId,
    via,
  }
}

/** Every output this action delivered, orphans included, in execution order. */
export function newlyDeliveredOutputs(
  before: QueueItemExecution | undefined,
  after: QueueItemExecution,
  history: readonly string[],
  via: OutputSource,
): InvocationOutputReceivedPayload[] {
  // First position wins, as for node outputs: an id can stand twice (a prepared id equal to a source id).
  const rank = new Map<string, number>()
  history.forEach((id, index) => {
    if (!rank.has(id)) rank.set(id, index)
  })
  const delivered: InvocationOutputReceivedPayload[] = []
  trieForEach(after.copies, (_copy, preparedId) => {
    const payload = newlyDeliveredOutput(before, after, preparedId, via)
    if (payload) delivered.push(payload)
  })
  for (const orphan of after.orphanOutputs) {
    if (!trieHas(after.deliveredOrphans, orphan.preparedId) || wasDelivered(before, orphan.preparedId))
      continue
    delivered.push({
      itemId: after.itemId,
      preparedId: orphan.preparedId,
      sourceNodeId: null,
      output: orphan.output,
      origin: after.origin,
      destination: after.destination,
      invocationType: orphan.invocationType ?? null,
      isIntermediate: orphan.isIntermediate ?? null,
      userId: after.userId,
      via,
    })
  }
  const order = (payload: InvocationOutputReceivedPayload) =>
    rank.get(payload.preparedId) ?? Number.MAX_SAFE_INTEGER
  return delivered.sort((a, b) => order(a) - order(b))
}
