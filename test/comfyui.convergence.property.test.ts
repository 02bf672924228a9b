import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { itemOf } from '../src/features/workflowExecution'
import { nodesOf } from '../src/features/workflowExecution/model/read'
import { trieGet } from '../src/features/workflowExecution/model/structures/hashTrie'
import { PROPERTY_SEED } from './helpers/propertySeed'
import { describeDecisions } from './property/decisionLog'
import { comfyCaseArbitrary } from './property-comfyui/cases'
import { deliverySpecArbitrary, describeDelivery, type DeliverySpec } from './property-comfyui/delivery'
import { checkConvergence } from './property-comfyui/expectations'
import { deliverCase } from './property-comfyui/harness'
import type { PromptSpec } from './property-comfyui/runs'
import { describeTimeline, scheduleCase, type ComfyCase } from './property-comfyui/server'

const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 1000)
const PATH = process.env.COMFY_CONVERGENCE_PATH

function describeTrace(trace: string[]): string {
  return trace.map((line, index) => `  ${String(index).padStart(3)} ${line}`).join('\n')
}

/** An assertion's message, with what it got and wanted (the diff is lost once the error is rethrown). */
function describeFailure(error: unknown): string {
  const { message, actual, expected } = error as { message: string; actual?: unknown; expected?: unknown }
  if (actual === undefined && expected === undefined) return message
  return `${message}\n  actual:   ${JSON.stringify(actual)}\n  expected: ${JSON.stringify(expected)}`
}

describe('ComfyUI convergence: whatever the socket and REST do, every prompt ends as the server persisted it', () => {
  it(`holds for ${RUNS} generated cases of prompts that succeed, fail, are interrupted, deleted or cleared, with cached and blocked nodes, frames dropped and lost to disconnects, late clients, lagging history and failing REST`, async () => {
    await fc.assert(
      fc.asyncProperty(comfyCaseArbitrary, deliverySpecArbitrary, async (workflow, spec) => {
        const result = await deliverCase(workflow, spec)
        try {
          checkConvergence(result)
        } catch (error) {
          // The shrunk case's error carries the server's timeline, the trace the client saw and every decision.
          throw new Error(
            `${describeFailure(error)}\nclient: ${describeDelivery(spec)}\n` +
              `server:\n${describeTimeline(result.timeline)}\n` +
              `client trace:\n${describeTrace(result.trace)}\ndecisions:\n${describeDecisions(result.decisions)}`,
          )
        }
      }),
      { numRuns: RUNS, seed: PROPERTY_SEED, ...(PATH === undefined ? {} : { path: PATH }) },
    )
  }, 3_600_000)

  it('the generator is not vacuous: prompts end every way, and drops, disconnects, lag, cache hits, blocked nodes and the API script occur', () => {
    const samples = fc.sample(fc.tuple(comfyCaseArbitrary, deliverySpecArbitrary), { numRuns: 300, seed: 42 })
    const timelines = samples.map(([workflow]) => scheduleCase(workflow))
    const endings = new Set(
      timelines.flatMap((timeline) => timeline.prompts.map((prompt) => prompt.realized)),
    )
    expect([...endings].sort()).toEqual(['cleared', 'deleted', 'failure', 'interrupt', 'success'])

    const share = (predicate: (index: number) => boolean) =>
      samples.filter((_, index) => predicate(index)).length / samples.length
    const ran = (index: number) =>
      (timelines[index]?.prompts ?? []).flatMap((prompt) => (prompt.run ? [prompt] : []))
    const spec = (index: number) => (samples[index] as (typeof samples)[number])[1]
    const dimensions = {
      drops: share((index) => spec(index).dropRate > 0),
      disconnects: share((index) => spec(index).disconnects.length > 0),
      lateConnect: share((index) => spec(index).connect.kind !== 'start'),
      outages: share((index) => spec(index).outages.length > 0),
      failingFetches: share((index) => spec(index).fetches.some((fetch) => fetch !== 'ok')),
      jobsApi: share((index) => spec(index).jobsApi),
      // History written past the engine's terminal delay and every lag retry (5 + 1 + 2 + 4 steps).
      longLag: share((index) => ran(index).some((prompt) => prompt.spec.lag > 12)),
      cached: share((index) => ran(index).some((prompt) => prompt.graph.cached.size > 0)),
      cachedOutput: share((index) =>
        ran(index).some((prompt) => prompt.graph.outputs.some((id) => prompt.graph.cached.has(id))),
      ),
      blocked: share((index) => ran(index).some((prompt) => prompt.truth.blocked !== null)),
      blockedSuccess: share((index) =>
        ran(index).some((prompt) => prompt.truth.blocked !== null && prompt.truth.status === 'completed'),
      ),
      ephemeral: share((index) => ran(index).some((prompt) => prompt.graph.ephemeral !== null)),
      apiScript: share((index) => timelines[index]?.prompts.some((prompt) => !prompt.own) ?? false),
      gone: share((index) => timelines[index]?.prompts.some((prompt) => prompt.truth.gone) ?? false),
    }
    for (const [name, on] of Object.entries(dimensions)) {
      expect(on, name).toBeGreaterThan(0.1)
      expect(on, name).toBeLessThan(0.95)
    }
    // Runs that are not only prompts that end in success: several prompts, fan-in, previews.
    expect(share((index) => (timelines[index]?.prompts.length ?? 0) > 2)).toBeGreaterThan(0.3)
    expect(
      share((index) =>
        ran(index).some((prompt) => prompt.graph.ids.some((id) => prompt.graph.inputsOf(id).length > 1)),
      ),
    ).toBeGreaterThan(0.3)
    // Some sockets are quiet: open from the start, nothing dropped or lost.
    expect(
      share((index) => {
        const delivery = spec(index)
        return (
          delivery.dropRate === 0 && delivery.disconnects.length === 0 && delivery.connect.kind === 'start'
        )
      }),
    ).toBeGreaterThan(0.05)
  })
})

/*
 * Minimal cases the property found, replayed as scenarios: every frame reaches the open socket, REST
 * answers at once, unless a case says otherwise.
 */
const quiet: DeliverySpec = {
  noise: [0.5],
  dropRate: 0,
  connect: { kind: 'start' },
  disconnects: [],
  outages: [],
  fetches: [],
  jobsApi: true,
}
/** Nodes 3 and 4 linked by nothing: 4 is the SaveImage, 3 a node no output needs. */
const twoNodes: PromptSpec['graph'] = { links: [[]], previewOutput: false, ephemeral: false, cachedMask: 0 }
const promptOf = (overrides: Partial<PromptSpec> = {}): PromptSpec => ({
  graph: twoNodes,
  blocked: null,
  progressSteps: 0,
  previews: false,
  ending: { kind: 'success' },
  lag: 0,
  gap: 0,
  ...overrides,
})

describe('cases the property found', () => {
  it("an API script's prompt that GET /queue lists on connect is not tracked: its frames never come here", async () => {
    const workflow: ComfyCase = { prompts: [promptOf()], foreign: { position: 0, prompt: promptOf() } }
    const result = await deliverCase(workflow, quiet)
    checkConvergence(result)
    const api = result.timeline.prompts.find(
      (prompt) => !prompt.own,
    ) as (typeof result.timeline.prompts)[number]
    expect(trieGet(result.state.itemIdByRunKey, api.promptId)).toBeUndefined()
    expect(result.outputs.map((output) => output.preparedId)).toEqual(['4'])
  })

  it('a cached node no output needs is COMPLETED and cached, from the socket and from the persisted run alike', async () => {
    const workflow: ComfyCase = {
      prompts: [promptOf({ graph: { ...twoNodes, cachedMask: 1 } })],
      foreign: null,
    }
    const result = await deliverCase(workflow, quiet)
    const item = itemOf(result.state.items, 1)
    expect(item && nodesOf(item)['3']).toMatchObject({ status: 'COMPLETED', cached: true })
    checkConvergence(result)
  })

  it('a finished prompt whose reconciliation gave up, read again while history lags, is asked again when the history is written', async () => {
    // Frames t1-t8 (the `executed` at t6 dropped), history at t29, `executing null` at t30. The delayed
    // reconciliation reads "running" (t12), then meets an outage (t13-t18) and gives up. The reconnect at
    // t20 reads "running" until its lag retries run out: not an answer, so `executing null` asks again.
    const workflow: ComfyCase = { prompts: [promptOf({ lag: 20 })], foreign: null }
    const noise = Array.from({ length: 64 }, (_, frame) => (frame === 5 ? 0 : 0.9))
    const spec: DeliverySpec = {
      ...quiet,
      noise,
      dropRate: 0.5,
      outages: [{ permille: 420, length: 6 }],
      disconnects: [{ permille: 613, length: 1 }],
    }
    const result = await deliverCase(workflow, spec)
    expect(result.trace).toContain('t6 (dropped) executed 4 (p1)')
    const item = itemOf(result.state.items, 1)
    expect(item).toMatchObject({ status: 'completed', settled: true })
    expect(item?.reconciliation).toMatchObject({ phase: 'done', snapshotStatus: 'completed' })
    expect(result.outputs.map((output) => [output.preparedId, output.via])).toEqual([['4', 'reconciliation']])
    checkConvergence(result)
  })
})
