import { cpus } from 'node:os'
import { now } from './clock'
import { benchConfig, type BenchConfig } from './config'
import { renderStream, type StreamReport } from './report'
import { runBackToBackStream } from './streams/backToBack'
import { runComfyProgressStateStream, runComfyProgressStream, runComfyPromptsStream } from './streams/comfyui'
import { runFanOutStream } from './streams/fanOut'
import { runMemoryStream } from './streams/memory'
import { runReactStream } from './streams/react'
import { runReconciliationStream } from './streams/reconciliation'
import { runSteadyStream } from './streams/steady'
import { runWideItemStream } from './streams/wideItem'

export interface BenchOptions {
  smoke: boolean
  /** The streams to run, by letter (`BENCH_STREAMS=eg`); all of them when absent. */
  streams?: string
  /** Where each block of output goes as soon as it is ready (default: stdout). */
  print?: (text: string) => void
}

export function machineLine(): string {
  const cores = cpus()
  return (
    `${cores[0]?.model.trim() ?? 'unknown CPU'}, ${cores.length} cores · Node ${process.version} · ` +
    `NODE_ENV=${process.env.NODE_ENV ?? '(unset)'} · ${new Date().toISOString().slice(0, 10)}`
  )
}

/** Each stream under the letter its section carries in the output and in docs/performance.md. */
const STREAMS: Record<string, (config: BenchConfig) => StreamReport | Promise<StreamReport>> = {
  a: runSteadyStream,
  b: runWideItemStream,
  c: runFanOutStream,
  d: runBackToBackStream,
  e: runReconciliationStream,
  f: runMemoryStream,
  g: runReactStream,
  h: runComfyProgressStream,
  i: runComfyProgressStateStream,
  j: runComfyPromptsStream,
}

/** Every stream in turn, each printed as soon as it is done (a long run shows its progress). */
export async function runBench(options: BenchOptions): Promise<StreamReport[]> {
  const print = options.print ?? ((text: string) => process.stdout.write(`${text}\n`))
  const config = benchConfig(options.smoke)
  const start = now()
  print(`# Cost per event: engine, floor, mutable, Map.set\n\n${machineLine()}\n`)
  if (options.smoke) print('Smoke sizes (BENCH_SMOKE=1): the figures below make no timing claims.\n')
  print(
    'Contestants: **engine** = socket payload → `createMockSocket()` bound to `createExecutionStore({ devTools: ' +
      'false, devChecks: false, reconcileOrigins: [] })` (validation, rules, reducer, listeners); **floor** = a ' +
      "hand-written immutable update per event in RTK's `configureStore`; **mutable** = the same semantics on " +
      'plain Maps mutated in place; **Map.set** = one `Map.set` per event.\n',
  )
  const reports: StreamReport[] = []
  const chosen = Object.entries(STREAMS).filter(([letter]) => options.streams?.includes(letter) ?? true)
  for (const [, stream] of chosen) {
    const report = await stream(config)
    reports.push(report)
    print(renderStream(report))
  }
  print(`Total time: ${((now() - start) / 1000).toFixed(0)} s`)
  return reports
}
