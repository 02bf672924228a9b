import { macrotask, now } from '../clock'
import type { BenchConfig } from '../config'
import { CONTESTANT_NAMES, createContestant, type Contestant, type ContestantName } from '../contestants'
import { preparedIdOf, sourceIdOf } from '../ids'
import { count, type StreamReport } from '../report'
import { interleavedRounds, medians } from '../rounds'
import { wire, type WireEvent } from '../wire'
import { perEventTable } from './perEventTable'

/** One item's whole run as one worker thread emits it: in_progress, each node in turn, completed. */
export function itemRun(itemId: number, nodes: number): WireEvent[] {
  const ctx = { itemId }
  const events = [wire.status(ctx, 'in_progress', 1)]
  for (let node = 0; node < nodes; node += 1) {
    const preparedId = preparedIdOf(itemId, node)
    const sourceId = sourceIdOf(node)
    events.push(
      wire.started(ctx, preparedId, sourceId),
      wire.progress(ctx, preparedId, sourceId, 0.5),
      wire.progress(ctx, preparedId, sourceId, 1),
      wire.complete(ctx, preparedId, sourceId, `image-${itemId}-${node}.png`),
    )
  }
  events.push(wire.status(ctx, 'completed', 2))
  return events
}

/** d. Many items back to back, each a fresh contestant per round (item creation, completion, eviction). */
export async function runBackToBackStream(config: BenchConfig): Promise<StreamReport> {
  const { items, nodesPerItem } = config.backToBack
  const events = Array.from({ length: items }, (_, i) => itemRun(i + 1, nodesPerItem)).flat()
  const last: Partial<Record<ContestantName, Contestant>> = {}
  const samples = await interleavedRounds(
    CONTESTANT_NAMES,
    { ...config.backToBack, collectBetweenRounds: config.collectBetweenRounds },
    async (name) => {
      last[name]?.close()
      const contestant = createContestant(name)
      last[name] = contestant
      const start = now()
      contestant.feed(events)
      await macrotask()
      return ((now() - start) * 1000) / events.length
    },
  )
  const summaries = Object.fromEntries(CONTESTANT_NAMES.map((name) => [name, last[name]?.summary(items)]))
  const held = CONTESTANT_NAMES.map((name) => `${name} ${count(last[name]?.itemCount() ?? 0)}`).join(', ')
  for (const contestant of Object.values(last)) contestant.close()
  return {
    title: `d. ${count(items)} items back to back`,
    notes: [
      `Each item: in_progress, ${nodesPerItem} nodes × (started, 2 progress, complete), completed ` +
        `(${count(events.length / items)} events); a fresh contestant per round. ` +
        `${config.backToBack.warmupRounds} warm-up round dropped, median of ${config.backToBack.rounds}. ` +
        `Items held at the end: ${held} (the engine evicts settled items beyond maxItems, default 100).`,
    ],
    tables: [
      perEventTable(`${count(items)} items`, events.length, config.backToBack.rounds, medians(samples)),
    ],
    outcomes: [{ label: `item ${items} of ${items}`, summaries }],
  }
}
