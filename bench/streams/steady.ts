import { macrotask, now } from '../clock'
import type { BenchConfig } from '../config'
import { CONTESTANT_NAMES, createContestant, type Contestant, type ContestantName } from '../contestants'
import { preparedIdOf, sourceIdOf } from '../ids'
import type { StreamReport } from '../report'
import { interleavedRounds, medians } from '../rounds'
import { wire, type WireEvent } from '../wire'
import { perEventTable } from './perEventTable'

const ITEM = { itemId: 1 }
// Events are replayed from a pool this long: a round of 40,000 needs no 40,000 payloads in memory.
const POOL = 1_000

/** An item with `nodes` nodes, all started: what every progress stream runs against. */
export function runningItem(itemId: number, nodes: number): WireEvent[] {
  const ctx = { itemId }
  const events = [wire.status(ctx, 'in_progress', 1)]
  for (let node = 0; node < nodes; node += 1)
    events.push(wire.started(ctx, preparedIdOf(itemId, node), sourceIdOf(node)))
  return events
}

/** Every contestant, each fed the same running item of `nodes` started nodes. */
export function contestantsWithRunningItem(
  itemId: number,
  nodes: number,
): Record<ContestantName, Contestant> {
  return Object.fromEntries(
    CONTESTANT_NAMES.map((name) => {
      const contestant = createContestant(name)
      contestant.feed(runningItem(itemId, nodes))
      return [name, contestant]
    }),
  ) as Record<ContestantName, Contestant>
}

/** a. Steady progress on a small item: the per-event cost once everything is warm. */
export async function runSteadyStream(config: BenchConfig): Promise<StreamReport> {
  const { nodes, eventsPerRound } = config.steady
  const poolSize = Math.min(POOL, eventsPerRound)
  const cycles = Math.ceil(eventsPerRound / poolSize)
  const events = cycles * poolSize
  // Consecutive events on a node always differ, so every one of them changes state.
  const pool = Array.from({ length: poolSize }, (_, i) =>
    wire.progress(ITEM, preparedIdOf(ITEM.itemId, i % nodes), sourceIdOf(i % nodes), (i % 100) / 100),
  )
  const contestants = contestantsWithRunningItem(ITEM.itemId, nodes)

  const samples = await interleavedRounds(
    CONTESTANT_NAMES,
    { ...config.steady, collectBetweenRounds: config.collectBetweenRounds },
    async (name) => {
      const contestant = contestants[name]
      const start = now()
      for (let cycle = 0; cycle < cycles; cycle += 1) contestant.feed(pool)
      await macrotask()
      return ((now() - start) * 1000) / events
    },
  )
  const summaries = Object.fromEntries(
    CONTESTANT_NAMES.map((name) => [name, contestants[name].summary(ITEM.itemId)]),
  )
  for (const contestant of Object.values(contestants)) contestant.close()
  return {
    title: `a. Steady progress, ${nodes}-node item`,
    notes: [
      `Progress events (no preview image) cycling over the ${nodes} running nodes of one item; ` +
        `${config.steady.warmupRounds} warm-up round dropped, median of ${config.steady.rounds}.`,
    ],
    tables: [perEventTable(`${nodes} nodes`, events, config.steady.rounds, medians(samples))],
    outcomes: [{ label: 'steady', summaries }],
  }
}
