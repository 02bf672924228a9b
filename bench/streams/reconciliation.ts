import { Worker } from 'node:worker_threads'
import type { SessionQueueItem } from '../../src'
import { collectGarbage, median, now } from '../clock'
import type { BenchConfig } from '../config'
import {
  CONTESTANT_NAMES,
  createContestant,
  type ContestantName,
  type ItemSummary,
  type ReconcileTiming,
} from '../contestants'
import { preparedIdOf, sourceIdOf } from '../ids'
import { count, decimal, ratio, type Outcome, type StreamReport, type Table } from '../report'
import { imageResult, persistedItem, wire, type PersistedCopy } from '../wire'

export interface ReconcileCase {
  label: string
  results: number
  /** Results spread over this many source nodes; 0: no mapping names any of them (orphans). */
  sourceNodes: number
}

export interface CasePlan {
  warmupResults: number
  rounds: number
  /** Another round starts only if it can end within this, counted from the first measured round. */
  capMs: number
  collectBetweenRounds: boolean
}

/** What a case run reports as it goes: a worker posts these to the bench. */
export type CaseMessage =
  | { kind: 'start' }
  | { kind: 'applied'; ms: number }
  | { kind: 'delivered'; delivered: number; ms: number }
  | { kind: 'round'; timing: ReconcileTiming }
  | { kind: 'done'; summary: ItemSummary | undefined }
  | { kind: 'error'; message: string }

export interface CaseResult {
  rounds: ReconcileTiming[]
  /** The first measured round, if it was stopped before its last delivery. */
  cut: { appliedMs: number | null; delivered: number; atMs: number } | null
  expected: number
  summary: ItemSummary | undefined
}

const ITEM_ID = 7

function snapshotOf(itemId: number, results: number, sourceNodes: number): SessionQueueItem {
  const copies: PersistedCopy[] = Array.from({ length: results }, (_, i) => ({
    preparedId: preparedIdOf(itemId, sourceNodes === 0 ? 0 : i % sourceNodes, i),
    sourceId: sourceNodes === 0 ? null : sourceIdOf(i % sourceNodes),
    result: imageResult(`image-${itemId}-${i}.png`),
  }))
  return persistedItem({ itemId }, 2, copies)
}

/**
 * One contestant through one case, in this thread: a tracked running item, then its persisted session
 * (every result in it) applied and each output delivered. A warm-up case of `warmupResults` runs first.
 */
export async function runReconcileCase(
  name: ContestantName,
  testCase: ReconcileCase,
  plan: CasePlan,
  report: (message: CaseMessage) => void = () => undefined,
): Promise<CaseResult> {
  const round = async (results: number, measured: boolean) => {
    if (plan.collectBetweenRounds) collectGarbage()
    const contestant = createContestant(name)
    contestant.feed([wire.status({ itemId: ITEM_ID }, 'in_progress', 1)])
    const snapshot = snapshotOf(ITEM_ID, results, testCase.sourceNodes)
    const throttle = { at: 0 }
    if (measured) report({ kind: 'start' })
    const timing = await contestant.reconcile(
      snapshot,
      measured
        ? {
            onApplied: (ms) => report({ kind: 'applied', ms }),
            onDelivered: (delivered, ms) => {
              // Often enough to say how far a stopped run got, rarely enough not to slow it.
              if (ms - throttle.at < 100) return
              throttle.at = ms
              report({ kind: 'delivered', delivered, ms })
            },
          }
        : {},
    )
    const summary = contestant.summary(ITEM_ID)
    contestant.close()
    return { timing, summary }
  }
  await round(Math.min(plan.warmupResults, testCase.results), false)
  const rounds: ReconcileTiming[] = []
  let summary: ItemSummary | undefined
  const start = now()
  while (rounds.length < plan.rounds) {
    const last = rounds.at(-1)
    if (last && now() + last.totalMs > start + plan.capMs) break
    const result = await round(testCase.results, true)
    rounds.push(result.timing)
    summary = result.summary
    report({ kind: 'round', timing: result.timing })
  }
  report({ kind: 'done', summary })
  return { rounds, cut: null, expected: testCase.results, summary }
}

export interface WorkerRequest {
  name: ContestantName
  testCase: ReconcileCase
  plan: CasePlan
}

/**
 * The same case in a worker thread, stopped `capMs` after its first measured round began: the engine
 * delivers outputs in one synchronous loop that nothing in its own thread could interrupt.
 */
function runCaseInWorker(request: WorkerRequest): Promise<CaseResult> {
  const workerUrl = new URL('./reconciliationWorker.ts', import.meta.url).href
  // A worker does not inherit tsx's loader: it registers it before importing the TypeScript module.
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
    .then(({ register }) => { register(); return import(${JSON.stringify(workerUrl)}) })`
  const worker = new Worker(boot, { eval: true, workerData: request })
  const seen = {
    rounds: [] as ReconcileTiming[],
    appliedMs: null as number | null,
    delivered: 0,
    atMs: 0,
    summary: undefined as ItemSummary | undefined,
  }
  return new Promise<CaseResult>((resolve, reject) => {
    const timers: { cap?: NodeJS.Timeout } = {}
    const finish = (cut: CaseResult['cut']) => {
      clearTimeout(timers.cap)
      void worker.terminate()
      resolve({ rounds: seen.rounds, cut, expected: request.testCase.results, summary: seen.summary })
    }
    worker.on('message', (message: CaseMessage) => {
      switch (message.kind) {
        case 'start':
          if (seen.rounds.length === 0 && timers.cap === undefined) {
            timers.cap = setTimeout(() => {
              finish(
                seen.rounds.length > 0
                  ? null
                  : { appliedMs: seen.appliedMs, delivered: seen.delivered, atMs: request.plan.capMs },
              )
            }, request.plan.capMs)
          }
          seen.appliedMs = null
          seen.delivered = 0
          return
        case 'applied':
          seen.appliedMs = message.ms
          return
        case 'delivered':
          seen.delivered = message.delivered
          seen.atMs = message.ms
          return
        case 'round':
          seen.rounds.push(message.timing)
          return
        case 'done':
          seen.summary = message.summary
          finish(null)
          return
        case 'error':
          clearTimeout(timers.cap)
          void worker.terminate()
          reject(new Error(`${request.name} / ${request.testCase.label}: ${message.message}`))
      }
    })
    worker.on('error', (error) => {
      clearTimeout(timers.cap)
      reject(error)
    })
    // Settled already when the bench stopped it; otherwise it died without saying why.
    worker.on('exit', (code) => {
      clearTimeout(timers.cap)
      reject(new Error(`${request.name} / ${request.testCase.label}: worker exited with ${code}`))
    })
  })
}

export interface ReconciliationStreamReport extends StreamReport {
  cases: { testCase: ReconcileCase; results: Record<ContestantName, CaseResult> }[]
}

/** Median over finished rounds, else the stopped run's own figure (applied comes before deliveries). */
function appliedMs(result: CaseResult): number {
  if (result.rounds.length > 0) return median(result.rounds.map((round) => round.appliedMs))
  return result.cut?.appliedMs ?? Number.NaN
}

function appliedCell(result: CaseResult): string {
  const ms = appliedMs(result)
  return Number.isNaN(ms) ? 'not applied when stopped' : decimal(ms)
}

/** A finished total, or the stopped run's lower bound. */
function totalMs(result: CaseResult): { ms: number; lowerBound: boolean } {
  if (result.rounds.length > 0)
    return { ms: median(result.rounds.map((round) => round.totalMs)), lowerBound: false }
  return { ms: result.cut?.atMs ?? Number.NaN, lowerBound: true }
}

function totalRatio(engine: CaseResult, floor: CaseResult): string {
  const a = totalMs(engine)
  const b = totalMs(floor)
  if (a.lowerBound && b.lowerBound) return '—'
  if (b.lowerBound) return `< ${ratio(a.ms / b.ms)}`
  if (a.lowerBound) return `> ${ratio(a.ms / b.ms)}`
  return ratio(a.ms / b.ms)
}

function totalCell(result: CaseResult): string {
  if (result.rounds.length > 0) return decimal(median(result.rounds.map((round) => round.totalMs)))
  const cut = result.cut
  return cut
    ? `> ${count(cut.atMs)} (cut: ${count(cut.delivered)} of ${count(result.expected)} delivered)`
    : '—'
}

/** e. Reconciliation: one item's persisted session, with every output in it delivered once. */
export async function runReconciliationStream(config: BenchConfig): Promise<ReconciliationStreamReport> {
  const { results, sourceNodes, orphans, warmupResults, rounds, capMs, inWorker } = config.reconciliation
  const testCases: ReconcileCase[] = [
    {
      label: `${count(results)} results over ${count(sourceNodes)} nodes`,
      results,
      sourceNodes,
    },
    { label: `${count(orphans)} orphan results`, results: orphans, sourceNodes: 0 },
  ]
  const plan: CasePlan = {
    warmupResults,
    rounds,
    capMs,
    collectBetweenRounds: config.collectBetweenRounds,
  }
  const cases: ReconciliationStreamReport['cases'] = []
  for (const testCase of testCases) {
    const byName = {} as Record<ContestantName, CaseResult>
    for (const name of CONTESTANT_NAMES) {
      byName[name] = inWorker
        ? await runCaseInWorker({ name, testCase, plan })
        : await runReconcileCase(name, testCase, plan)
    }
    cases.push({ testCase, results: byName })
  }

  const table: Table = {
    headers: ['case', 'measure', ...CONTESTANT_NAMES.map((name) => `${name} ms`), 'engine/floor'],
    rows: [],
    labelColumns: 2,
  }
  const outcomes: Outcome[] = []
  for (const { testCase, results: byName } of cases) {
    table.rows.push(
      [
        testCase.label,
        'applied',
        ...CONTESTANT_NAMES.map((name) => appliedCell(byName[name])),
        ratio(appliedMs(byName.engine) / appliedMs(byName.floor)),
      ],
      [
        testCase.label,
        'total, every output delivered',
        ...CONTESTANT_NAMES.map((name) => totalCell(byName[name])),
        totalRatio(byName.engine, byName.floor),
      ],
    )
    outcomes.push({
      label: testCase.label,
      summaries: Object.fromEntries(CONTESTANT_NAMES.map((name) => [name, byName[name].summary])),
    })
  }
  const roundsRun = cases
    .flatMap(({ results: byName }) => CONTESTANT_NAMES.map((name) => byName[name].rounds.length))
    .reduce((a, b) => Math.max(a, b), 0)
  return {
    title: 'e. Reconciliation of one persisted item',
    notes: [
      'A running item, then its persisted session (completed, every result in `session.results`, both ' +
        'mappings and `executed_history` as REST returns them) from a fetcher that resolves at once. ' +
        '"applied": from dispatching `reconcileQueueItem` until the item shows the result; "total": until ' +
        'the last `invocationOutputReceived` (the baselines: their own pass, then one delivery per output). ' +
        'Orphans: results whose prepared id neither mapping names.',
      `A warm-up case of ${count(warmupResults)} results first; median of up to ${rounds} rounds (ran at most ` +
        `${roundsRun}). ` +
        (inWorker
          ? `Each contestant and case runs in its own worker thread, stopped ${decimal(capMs / 1000)} s after ` +
            'its first measured round began; a stopped run shows how far it got.'
          : 'In this thread, no time cap (smoke sizes).'),
    ],
    tables: [table],
    outcomes,
    cases,
  }
}
