import { describe, expect, it } from 'vitest'
import { benchConfig } from '../bench/config'
import type { ItemSummary } from '../bench/contestants'
import type { Outcome } from '../bench/report'
import { runBackToBackStream } from '../bench/streams/backToBack'
import { runFanOutStream } from '../bench/streams/fanOut'
import { runMemoryStream } from '../bench/streams/memory'
import { runReactStream } from '../bench/streams/react'
import { runReconciliationStream } from '../bench/streams/reconciliation'
import { runSteadyStream } from '../bench/streams/steady'
import { runWideItemStream } from '../bench/streams/wideItem'

/*
 * The bench's runners at tiny sizes (BENCH_SMOKE's). No timing claims: this checks that every contestant
 * computed the same thing from the same stream, so the figures compare like with like.
 */

const config = benchConfig(true)

/** What Map.set can tell: statuses and progress, not outputs or orphans. */
function withoutOutputs(summary: ItemSummary | undefined) {
  if (!summary) return summary
  const nodes = Object.fromEntries(
    Object.entries(summary.nodes).map(([nodeId, { status, progress }]) => [nodeId, { status, progress }]),
  )
  return { status: summary.status, nodes }
}

function expectAgreement(outcome: Outcome) {
  const { engine, floor, mutable, 'Map.set': mapSet } = outcome.summaries
  expect(engine, outcome.label).toBeDefined()
  expect(floor, outcome.label).toEqual(engine)
  expect(mutable, outcome.label).toEqual(engine)
  expect(withoutOutputs(mapSet), outcome.label).toEqual(withoutOutputs(engine))
}

describe('bench streams at smoke sizes', () => {
  it('a. steady progress: all four end with the same node states', async () => {
    const report = await runSteadyStream(config)
    const outcome = report.outcomes[0] as Outcome
    expectAgreement(outcome)
    const nodes = Object.values(outcome.summaries.engine?.nodes ?? {})
    expect(nodes).toHaveLength(config.steady.nodes)
    expect(nodes.every((node) => node.status === 'IN_PROGRESS' && node.progress !== null)).toBe(true)
  })

  it('b. large item: all four end with the same node states', async () => {
    const outcome = (await runWideItemStream(config)).outcomes[0] as Outcome
    expectAgreement(outcome)
    expect(Object.keys(outcome.summaries.engine?.nodes ?? {})).toHaveLength(config.wideItem.nodes)
  })

  it('c. fan-out: every copy completes its one node, with one output per copy', async () => {
    const report = await runFanOutStream(config)
    expect(report.capped).toEqual([])
    expect(report.outcomes.map((outcome) => outcome.label)).toEqual(
      config.fanOut.copies.map((copies) => `${copies} copies`),
    )
    config.fanOut.copies.forEach((copies, index) => {
      const outcome = report.outcomes[index] as Outcome
      expectAgreement(outcome)
      expect(outcome.summaries.engine).toEqual({
        status: 'completed',
        nodes: { 'iterate-body': { status: 'COMPLETED', progress: 1, outputs: copies } },
        orphans: 0,
      })
    })
  })

  it('d. items back to back: the last item ends the same everywhere', async () => {
    const outcome = (await runBackToBackStream(config)).outcomes[0] as Outcome
    expectAgreement(outcome)
    const engine = outcome.summaries.engine
    expect(engine?.status).toBe('completed')
    expect(Object.values(engine?.nodes ?? {})).toEqual(
      Array.from({ length: config.backToBack.nodesPerItem }, () => ({
        status: 'COMPLETED',
        progress: 1,
        outputs: 1,
      })),
    )
  })

  it('e. reconciliation: the same nodes, outputs and orphans, every output delivered once', async () => {
    const report = await runReconciliationStream(config)
    const { results, sourceNodes, orphans } = config.reconciliation
    const [mapped, orphaned] = report.cases
    for (const { testCase, results: byName } of report.cases) {
      for (const result of Object.values(byName)) {
        expect(result.cut).toBeNull()
        expect(result.rounds.map((round) => round.delivered)).toEqual([testCase.results])
      }
      const { engine, floor, mutable } = Object.fromEntries(
        Object.entries(byName).map(([name, result]) => [name, result.summary]),
      )
      expect(floor, testCase.label).toEqual(engine)
      expect(mutable, testCase.label).toEqual(engine)
    }
    const engineMapped = mapped?.results.engine.summary
    expect(engineMapped?.status).toBe('completed')
    expect(Object.keys(engineMapped?.nodes ?? {})).toHaveLength(sourceNodes)
    const outputs = Object.values(engineMapped?.nodes ?? {}).reduce(
      (sum, node) => sum + (node.outputs ?? 0),
      0,
    )
    expect(outputs).toBe(results)
    expect(orphaned?.results.engine.summary?.orphans).toBe(orphans)
    expect(orphaned?.results.engine.summary?.nodes).toEqual({})
  })

  it('f. memory: the engine holds at most maxItems settled items; each contestant sizes its item', async () => {
    const report = await runMemoryStream(config)
    const { checkpoints, maxItems } = config.memory
    expect(report.checkpoints.map((checkpoint) => [checkpoint.itemsRun, checkpoint.cut])).toEqual(
      checkpoints.map((target) => [target, false]),
    )
    expect(report.checkpoints.at(-1)?.itemsHeld).toBe(maxItems)
    expect(report.itemSizes.engine.jsonLength).toBeGreaterThan(0)
    expect(report.itemSizes.floor.jsonLength).toBe(report.itemSizes.mutable.jsonLength)
    expect(report.itemSizes['Map.set'].jsonLength).toBeNull()
  })

  it('g. React: one render per progress event, on the node it targets only; a burst renders once', async () => {
    const report = await runReactStream(config)
    for (const reader of ['engine', 'floor', 'mutable'] as const) {
      expect(report.readers[reader].frame, reader).toMatchObject({ rendersPerEvent: 1, mismatchedNodes: 0 })
      expect(report.readers[reader].burst, reader).toMatchObject({ rendersPerEvent: 0.1, mismatchedNodes: 0 })
    }
    expect(report.alone.rendersPerEvent).toBe(1)
  })
})
