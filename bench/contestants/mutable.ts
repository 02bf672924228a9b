import type { InvocationOutput, NodeStatus, ProgressImage, QueueStatus, SessionQueueItem } from '../../src'
import { now } from '../clock'
import type { WireEvent } from '../wire'
import { persistedResults } from './snapshot'
import type { Contestant, ItemSummary, ReconcileTiming } from './types'

export interface MutableNode {
  status: NodeStatus
  progress: number | null
  progressImage: ProgressImage | null
  outputs: InvocationOutput[]
}

export interface MutableItem {
  status: QueueStatus | null
  nodes: Map<string, MutableNode>
  orphans: InvocationOutput[]
  delivered: Set<string>
}

export interface MutableContestant extends Contestant {
  readonly items: ReadonlyMap<number, MutableItem>
}

export interface MutableOptions {
  /** Told after a node changed in place: a UI subscribes here, since no reference changes. */
  onNodeChange?: (itemId: number, nodeId: string) => void
}

/** The same semantics as the floor on plain Maps mutated in place, outside Redux (InvokeAI's way). */
export function createMutableContestant(options: MutableOptions = {}): MutableContestant {
  const items = new Map<number, MutableItem>()
  const { onNodeChange } = options

  function itemOf(itemId: number): MutableItem {
    let item = items.get(itemId)
    if (!item) {
      item = { status: null, nodes: new Map(), orphans: [], delivered: new Set() }
      items.set(itemId, item)
    }
    return item
  }

  function nodeOf(itemId: number, nodeId: string): MutableNode {
    const { nodes } = itemOf(itemId)
    let node = nodes.get(nodeId)
    if (!node) {
      node = { status: 'PENDING', progress: null, progressImage: null, outputs: [] }
      nodes.set(nodeId, node)
    }
    return node
  }

  function apply(event: WireEvent): void {
    switch (event.name) {
      case 'queue_item_status_changed':
        itemOf(event.payload.item_id).status = event.payload.status
        return
      case 'invocation_started': {
        const node = nodeOf(event.payload.item_id, event.payload.invocation_source_id)
        node.status = 'IN_PROGRESS'
        node.progress = null
        break
      }
      case 'invocation_progress': {
        const node = nodeOf(event.payload.item_id, event.payload.invocation_source_id)
        node.status = 'IN_PROGRESS'
        node.progress = event.payload.percentage
        node.progressImage = event.payload.image ?? node.progressImage
        break
      }
      case 'invocation_complete': {
        const node = nodeOf(event.payload.item_id, event.payload.invocation_source_id)
        node.status = 'COMPLETED'
        node.progress = node.progress === null ? null : 1
        node.outputs.push(event.payload.result)
        break
      }
    }
    onNodeChange?.(event.payload.item_id, event.payload.invocation_source_id)
  }

  function applySnapshot(snapshot: SessionQueueItem): MutableItem {
    const item = itemOf(snapshot.item_id)
    const rebuilt = new Map<string, InvocationOutput[]>()
    for (const { sourceId, output } of persistedResults(snapshot)) {
      if (sourceId === null) {
        item.orphans.push(output)
        continue
      }
      const list = rebuilt.get(sourceId)
      if (list) list.push(output)
      else rebuilt.set(sourceId, [output])
    }
    for (const [nodeId, outputs] of rebuilt) {
      const node = nodeOf(snapshot.item_id, nodeId)
      node.status = 'COMPLETED'
      node.progress = null
      node.outputs = outputs
    }
    item.status = snapshot.status
    return item
  }

  return {
    name: 'mutable',
    items,
    feed(events, from = 0, to = events.length) {
      for (let i = from; i < to; i += 1) apply(events[i] as WireEvent)
    },
    async reconcile(snapshot, watcher = {}): Promise<ReconcileTiming> {
      const start = now()
      const item = applySnapshot(snapshot)
      const applied = now()
      watcher.onApplied?.(applied - start)
      for (const { preparedId } of persistedResults(snapshot)) {
        if (item.delivered.has(preparedId)) continue
        item.delivered.add(preparedId)
        watcher.onDelivered?.(item.delivered.size, now() - start)
      }
      return { appliedMs: applied - start, totalMs: now() - start, delivered: item.delivered.size }
    },
    summary(itemId): ItemSummary | undefined {
      const item = items.get(itemId)
      if (!item) return undefined
      const nodes: ItemSummary['nodes'] = {}
      for (const [nodeId, node] of item.nodes) {
        nodes[nodeId] = { status: node.status, progress: node.progress, outputs: node.outputs.length }
      }
      return { status: item.status, nodes, orphans: item.orphans.length }
    },
    itemCount: () => items.size,
    record: (itemId) => items.get(itemId),
    close: () => items.clear(),
  }
}
