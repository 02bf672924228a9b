import { macrotask, now } from '../clock'
import type { BenchConfig } from '../config'
import { CONTESTANT_NAMES } from '../contestants'
import { preparedIdOf, sourceIdOf } from '../ids'
import type { StreamReport } from '../report'
import { interleavedRounds, medians } from '../rounds'
import { wire, type WireEvent } from '../wire'
import { perEventTable } from './perEventTable'
import { contestantsWithRunningItem } from './steady'

const ITEM = { itemId: 1 }

/** Sweeps over every node, `perNode` times; `phase` shifts the percentages so a round always changes state. */
function sweeps(nodes: number, perNode: number, phase: number): WireEvent[] {
  const events: WireEvent[] = []
  for (let sweep = 0; sweep < perNode; sweep += 1) {
    const percentage = (phase * perNode + sweep + 1) / (2 * perNode)
    for (let node = 0; node < nodes; node += 1)
      events.push(wire.progress(ITEM, preparedIdOf(ITEM.itemId, node), sourceIdOf(node), percentage))
  }
  return events
}

/** b. A large item: what a progress event costs when its item has many nodes. */
export async function runWideItemStream(config: BenchConfig): Promise<StreamReport> {
  const { nodes, progressPerNode } = config.wideItem
  const pools = [sweeps(nodes, progressPerNode, 0), sweeps(nodes, progressPerNode, 1)]
  const events = nodes * progressPerNode
  const contestants = contestantsWithRunningItem(ITEM.itemId, nodes)

  const samples = await interleavedRounds(
    CONTESTANT_NAMES,
    { ...config.wideItem, collectBetweenRounds: config.collectBetweenRounds },
    async (name, round) => {
      const pool = pools[round % 2] as WireEvent[]
      const start = now()
      contestants[name].feed(pool)
      await macrotask()
      return ((now() - start) * 1000) / events
    },
  )
  const summaries = Object.fromEntries(
    CONTESTANT_NAMES.map((name) => [name, contestants[name].summary(ITEM.itemId)]),
  )
  for (const contestant of Object.values(contestants)) contestant.close()
  return {
    title: `b. Large item: ${nodes.toLocaleString('en-US')} nodes, ${progressPerNode} progress events per node`,
    notes: [
      `Every node started first (not timed); a round is ${progressPerNode} sweeps of one progress event per node. ` +
        `${config.wideItem.warmupRounds} warm-up round dropped, median of ${config.wideItem.rounds}.`,
    ],
    tables: [
      perEventTable(
        `${nodes.toLocaleString('en-US')} nodes`,
        events,
        config.wideItem.rounds,
        medians(samples),
      ),
    ],
    outcomes: [{ label: 'wide item', summaries }],
  }
}
