import type { InvocationOutput, NodeStatus } from '../../src'
import { now } from '../clock'
import type { WireEvent } from '../wire'
import { persistedResults } from './snapshot'
import type { Contestant, ItemSummary, ReconcileTiming } from './types'

type Stored = WireEvent | InvocationOutput

function isWireEvent(value: Stored): value is WireEvent {
  return 'name' in value && 'payload' in value
}

const STATUS_AFTER: Record<Exclude<WireEvent['name'], 'queue_item_status_changed'>, NodeStatus> = {
  invocation_started: 'IN_PROGRESS',
  invocation_progress: 'IN_PROGRESS',
  invocation_complete: 'COMPLETED',
}

/**
 * The physical limit: one `Map.set` per event (the latest event of each prepared copy, or of each item),
 * nothing derived. Node state is worked out only when read, outside the timed part.
 */
export function createMapSetContestant(): Contestant {
  const latest = new Map<string | number, Stored>()
  const delivered = new Map<string, true>()

  function summary(itemId: number): ItemSummary | undefined {
    const status = latest.get(itemId)
    if (!status) return undefined
    // Per source node: whether any copy still runs, and the copy seen last (insertion order).
    const nodes = new Map<string, { running: boolean; last: WireEvent }>()
    for (const value of latest.values()) {
      if (!isWireEvent(value) || value.payload.item_id !== itemId) continue
      if (value.name === 'queue_item_status_changed') continue
      const nodeId = value.payload.invocation_source_id
      const running = STATUS_AFTER[value.name] === 'IN_PROGRESS'
      nodes.set(nodeId, { running: running || (nodes.get(nodeId)?.running ?? false), last: value })
    }
    const result: ItemSummary['nodes'] = {}
    for (const [nodeId, { running, last }] of nodes) {
      const progress =
        last.name === 'invocation_progress'
          ? last.payload.percentage
          : last.name === 'invocation_complete'
            ? 1
            : null
      result[nodeId] = { status: running ? 'IN_PROGRESS' : 'COMPLETED', progress, outputs: null }
    }
    return {
      status:
        isWireEvent(status) && status.name === 'queue_item_status_changed' ? status.payload.status : null,
      nodes: result,
      orphans: null,
    }
  }

  return {
    name: 'Map.set',
    feed(events, from = 0, to = events.length) {
      for (let i = from; i < to; i += 1) {
        const event = events[i] as WireEvent
        latest.set(
          event.name === 'queue_item_status_changed' ? event.payload.item_id : event.payload.invocation.id,
          event,
        )
      }
    },
    async reconcile(snapshot, watcher = {}): Promise<ReconcileTiming> {
      const start = now()
      const results = persistedResults(snapshot)
      for (const { preparedId, output } of results) latest.set(preparedId, output)
      const applied = now()
      watcher.onApplied?.(applied - start)
      for (const { preparedId } of results) {
        delivered.set(preparedId, true)
        watcher.onDelivered?.(delivered.size, now() - start)
      }
      return { appliedMs: applied - start, totalMs: now() - start, delivered: delivered.size }
    },
    summary,
    // Nothing per item: the latest event of each copy is all it keeps.
    record: () => undefined,
    itemCount: () => {
      let count = 0
      for (const key of latest.keys()) if (typeof key === 'number') count += 1
      return count
    },
    close: () => {
      latest.clear()
      delivered.clear()
    },
  }
}
