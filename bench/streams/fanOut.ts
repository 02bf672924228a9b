import { clockOverheadMs, collectGarbage, macrotask, median, now } from '../clock'
import type { BenchConfig } from '../config'
import { CONTESTANT_NAMES, createContestant, type Contestant, type ContestantName } from '../contestants'
import { preparedIdOf } from '../ids'
import { count, decimal, ratio, type Outcome, type StreamReport, type Table } from '../report'
import { wire, type WireEvent } from '../wire'

const ITEM = { itemId: 1 }
const SOURCE = 'iterate-body'
const EVENTS_PER_COPY = 4

interface FanOutEvents {
  setup: WireEvent[]
  /** Copy `c` is events `4c..4c+3`: started, progress, progress, complete. */
  copies: WireEvent[]
  teardown: WireEvent[]
}

function fanOutEvents(copies: number): FanOutEvents {
  const events: WireEvent[] = []
  for (let copy = 0; copy < copies; copy += 1) {
    const preparedId = preparedIdOf(ITEM.itemId, 0, copy)
    events.push(
      wire.started(ITEM, preparedId, SOURCE),
      wire.progress(ITEM, preparedId, SOURCE, 0.5),
      wire.progress(ITEM, preparedId, SOURCE, 0.9),
      wire.complete(ITEM, preparedId, SOURCE, `image-${copy}.png`),
    )
  }
  return {
    setup: [wire.status(ITEM, 'in_progress', 1)],
    copies: events,
    teardown: [wire.status(ITEM, 'completed', 2)],
  }
}

export interface FanOutRound {
  copiesRun: number
  capped: boolean
  elapsedMs: number
  startedMs: number
  progressMs: number
  completeMs: number
  /** Per copy, its four events. */
  copyMs: Float64Array
}

/** Copies between two turns of the event loop (off the clock). */
const COPIES_PER_TURN = 100

/**
 * One fresh contestant through every copy, each phase timed on its own; stops at `deadline`. The event
 * loop turns every `COPIES_PER_TURN` copies, off the clock, so what listeners leave to microtasks is done
 * instead of piling up over thousands of copies (not after every copy: the first event after a turn runs
 * on cold caches, which would land on every "started").
 */
async function runRound(
  contestant: Contestant,
  events: FanOutEvents,
  copies: number,
  deadline: number,
  overheadMs: number,
): Promise<FanOutRound> {
  contestant.feed(events.setup)
  const copyMs = new Float64Array(copies)
  const round = { startedMs: 0, progressMs: 0, completeMs: 0 }
  const begin = now()
  let copy = 0
  let t3 = begin
  for (; copy < copies && now() < deadline; copy += 1) {
    const at = copy * EVENTS_PER_COPY
    const t0 = now()
    contestant.feed(events.copies, at, at + 1)
    const t1 = now()
    contestant.feed(events.copies, at + 1, at + 3)
    const t2 = now()
    contestant.feed(events.copies, at + 3, at + 4)
    t3 = now()
    round.startedMs += t1 - t0 - overheadMs
    round.progressMs += t2 - t1 - overheadMs
    round.completeMs += t3 - t2 - overheadMs
    copyMs[copy] = t3 - t0 - 3 * overheadMs
    if (copy % COPIES_PER_TURN === COPIES_PER_TURN - 1) await macrotask()
  }
  const capped = copy < copies
  if (!capped) contestant.feed(events.teardown)
  // Wall time of the round, event-loop turns included: only decides whether another round fits.
  return { ...round, copiesRun: copy, capped, elapsedMs: now() - begin, copyMs }
}

/** µs per event over copies [from, to) of a round. */
function rangeUs(round: FanOutRound, from: number, to: number): number {
  let sum = 0
  for (let copy = from; copy < to; copy += 1) sum += round.copyMs[copy] as number
  return to > from ? (Math.max(0, sum) * 1000) / ((to - from) * EVENTS_PER_COPY) : Number.NaN
}

interface SizeResult {
  rounds: FanOutRound[]
  skipped: string | null
  summary: ReturnType<Contestant['summary']>
}

async function runSize(
  name: ContestantName,
  copies: number,
  events: FanOutEvents,
  config: BenchConfig,
  overheadMs: number,
): Promise<SizeResult> {
  const { rounds: wanted, warmupUpTo, budgetMs } = config.fanOut
  const fresh = () => {
    if (config.collectBetweenRounds) collectGarbage()
    return createContestant(name)
  }
  if (copies <= warmupUpTo) {
    const warm = fresh()
    await runRound(warm, events, copies, now() + budgetMs, overheadMs)
    warm.close()
  }
  const deadline = now() + budgetMs
  const rounds: FanOutRound[] = []
  let summary: SizeResult['summary']
  while (rounds.length < wanted) {
    const previous = rounds.at(-1)
    // Another round only if it can finish: a cut-short round is reported only when it is the first.
    if (previous && (previous.capped || now() + previous.elapsedMs > deadline)) break
    const contestant = fresh()
    const round = await runRound(contestant, events, copies, deadline, overheadMs)
    rounds.push(round)
    summary = contestant.summary(ITEM.itemId)
    contestant.close()
  }
  return { rounds, skipped: null, summary }
}

function medianOf(rounds: FanOutRound[], pick: (round: FanOutRound) => number): number {
  return median(rounds.map(pick))
}

export interface FanOutStreamReport extends StreamReport {
  /** Per size and contestant: whether it was cut short, for the caller's summary. */
  capped: { copies: number; contestant: ContestantName; copiesRun: number }[]
}

/** c. One source node fanned out into many copies, run one after another as an iterate runs them. */
export async function runFanOutStream(config: BenchConfig): Promise<FanOutStreamReport> {
  const overheadMs = clockOverheadMs(config.smoke ? 1_000 : 200_000)
  const table: Table = {
    headers: [
      'copies',
      'contestant',
      'copies run',
      'rounds',
      'started µs',
      'progress µs',
      'complete µs',
      'overall µs',
      'first 10 % µs',
      'last 10 % µs',
      'vs floor',
    ],
    rows: [],
    labelColumns: 2,
  }
  const outcomes: Outcome[] = []
  const capped: FanOutStreamReport['capped'] = []
  const cappedAt: Partial<Record<ContestantName, number>> = {}
  // One round per contestant at the warm-up size before any size is measured: the first size is small
  // enough that its own warm-up round would leave the JIT half-way.
  const warmupCopies = Math.min(config.fanOut.warmupUpTo, Math.max(...config.fanOut.copies))
  const warmupEvents = fanOutEvents(warmupCopies)
  for (const name of CONTESTANT_NAMES) {
    const warm = createContestant(name)
    await runRound(warm, warmupEvents, warmupCopies, now() + config.fanOut.budgetMs, overheadMs)
    warm.close()
  }
  for (const copies of config.fanOut.copies) {
    const events = fanOutEvents(copies)
    const results = {} as Record<ContestantName, SizeResult>
    for (const name of CONTESTANT_NAMES) {
      const earlier = cappedAt[name]
      results[name] =
        earlier === undefined
          ? await runSize(name, copies, events, config, overheadMs)
          : { rounds: [], skipped: `skipped: cut short at ${count(earlier)} copies`, summary: undefined }
    }
    const floorRounds = results.floor.rounds
    for (const name of CONTESTANT_NAMES) {
      const { rounds, skipped } = results[name]
      if (skipped || rounds.length === 0) {
        table.rows.push([count(copies), name, skipped ?? 'not run', '', '', '', '', '', '', '', ''])
        continue
      }
      const first = rounds[0] as FanOutRound
      const run = first.copiesRun
      if (first.capped) {
        cappedAt[name] = copies
        capped.push({ copies, contestant: name, copiesRun: run })
      }
      const tenth = Math.max(1, Math.ceil(run / 10))
      const perEvent = (pick: (round: FanOutRound) => number, events: number) =>
        decimal(medianOf(rounds, (round) => (Math.max(0, pick(round)) * 1000) / (round.copiesRun * events)))
      const overall = medianOf(rounds, (round) => rangeUs(round, 0, round.copiesRun))
      // Against the floor over the same copies, so a cut-short run is compared like for like.
      const floorSame = medianOf(floorRounds, (round) => rangeUs(round, 0, Math.min(run, round.copiesRun)))
      table.rows.push([
        count(copies),
        name,
        first.capped ? `${count(run)} (cut at ${decimal(first.elapsedMs / 1000)} s)` : count(run),
        String(rounds.length),
        perEvent((round) => round.startedMs, 1),
        perEvent((round) => round.progressMs, 2),
        perEvent((round) => round.completeMs, 1),
        decimal(overall),
        decimal(medianOf(rounds, (round) => rangeUs(round, 0, tenth))),
        decimal(medianOf(rounds, (round) => rangeUs(round, run - tenth, run))),
        ratio(overall / floorSame),
      ])
    }
    outcomes.push({
      label: `${copies} copies`,
      summaries: Object.fromEntries(
        CONTESTANT_NAMES.filter((name) => !results[name].rounds[0]?.capped).map((name) => [
          name,
          results[name].summary,
        ]),
      ),
    })
  }
  const { budgetMs, rounds, warmupUpTo } = config.fanOut
  return {
    title: 'c. Fan-out: one source node, many copies',
    notes: [
      'Per copy: started, 2 progress, complete, one copy after another (as an iterate runs them). Each ' +
        `phase is timed on its own (clock overhead of ${decimal(overheadMs * 1e6)} ns per read subtracted); ` +
        `"first/last 10 %" is µs per event over the first and last tenth of the copies run. Median of up to ` +
        `${rounds} rounds, a fresh contestant each, after a dropped warm-up round of ${count(warmupUpTo)} ` +
        `copies per contestant; sizes up to ${count(warmupUpTo)} copies also get a dropped warm-up round of ` +
        `their own. The event loop turns every ${COPIES_PER_TURN} copies, off the clock.`,
      `Time cap: ${decimal(budgetMs / 1000)} s per contestant and size. A round still running then is cut ` +
        'short and reported as far as it got ("copies run"); larger sizes are then skipped for that ' +
        'contestant. "vs floor" compares with the floor over the same copies.',
    ],
    tables: [table],
    outcomes,
    capped,
  }
}
