import { configureStore } from '@reduxjs/toolkit'
import {
  selectNodeExecutionState,
  selectNodeIds,
  selectQueueItemExecution,
  selectQueueItemIds,
} from '../../src'
import {
  COMFY_FRAME_SCHEMAS,
  createComfyWorkflowExecution,
  frameReceived,
  promptQueued,
  selectItemIdOfPrompt,
  type ComfyFrame,
  type LookupPrompt,
} from '../../src/comfyui'
import { clockOverheadMs, macrotask, median, now } from '../clock'
import type { BenchConfig } from '../config'
import type { ItemSummary } from '../contestants'
import { count, decimal, ratio, type StreamReport, type Table } from '../report'
import { interleavedRounds, medians } from '../rounds'
import { comfyNodeIdOf, comfyWire, completedLookup, fromTheSocket, promptIdOf } from './comfyWire'

/*
 * The ComfyUI path: frames dispatched as `frameReceived` into a real store built from
 * `createComfyWorkflowExecution` (its reducer and middleware in RTK's `configureStore`, production settings:
 * no DevTools, no dev checks). The actions carry no binding mark, so the reducer validates each frame with
 * the same zod schemas the socket binding would (the InvokeAI streams validate in the mock socket's binding
 * instead: validation is on the clock in both).
 */

// Frames are replayed from a pool: a round of 20,000 needs no 20,000 frames in memory.
const POOL = 1_000
/** Entries of `progress_state` frames built for one pool (the 10,000-node map is 10 frames). */
const POOL_ENTRIES = 100_000
/** `progress` steps per node, as a 20-step sampler reports them. */
const STEPS = 20

export interface ComfyEngine {
  readonly store: ReturnType<typeof comfyStore>['store']
  /** Dispatches the frames `frames[from..to)` in order, one action each, as the binding would. */
  feed(frames: readonly ComfyFrame[], from?: number, to?: number): void
  queue(promptId: string): void
  itemIdOf(promptId: string): number | undefined
  summary(promptId: string): ItemSummary | undefined
  itemCount(): number
  close(): void
}

function comfyStore(options: { maxItems?: number; lookupPrompt?: LookupPrompt }) {
  const comfy = createComfyWorkflowExecution({
    clientId: 'bench',
    // A stopped prompt is asked about at once: as `executing { node: null }` does on a live server.
    terminalReconcileDelayMs: 0,
    lookupPrompt:
      options.lookupPrompt ??
      (async () => {
        throw new Error('this stream never stops a prompt')
      }),
    listQueue: async () => [],
    ...(options.maxItems === undefined ? {} : { maxItems: options.maxItems }),
  })
  const store = configureStore({
    reducer: { [comfy.reducerPath]: comfy.reducer },
    middleware: (getDefault) =>
      getDefault({ immutableCheck: false, serializableCheck: false }).prepend(comfy.middleware),
    devTools: false,
  })
  return { comfy, store }
}

export function createComfyEngine(options: { maxItems?: number; lookupPrompt?: LookupPrompt } = {}) {
  const { comfy, store } = comfyStore(options)
  const engine: ComfyEngine = {
    store,
    feed(frames, from = 0, to = frames.length) {
      for (let i = from; i < to; i += 1) store.dispatch(frameReceived(frames[i] as ComfyFrame))
    },
    queue: (promptId) => void store.dispatch(promptQueued({ promptId })),
    itemIdOf: (promptId) => selectItemIdOfPrompt(store.getState(), promptId) ?? undefined,
    summary(promptId) {
      const state = store.getState()
      const itemId = selectItemIdOfPrompt(state, promptId)
      const item = itemId == null ? undefined : selectQueueItemExecution(state, itemId)
      if (!item || itemId == null) return undefined
      const nodes: ItemSummary['nodes'] = {}
      for (const nodeId of selectNodeIds(state, itemId)) {
        const node = selectNodeExecutionState(state, itemId, nodeId)
        if (node)
          nodes[nodeId] = { status: node.status, progress: node.progress, outputs: node.outputs.length }
      }
      return { status: item.status, nodes, orphans: item.orphanOutputs.length }
    },
    itemCount: () => selectQueueItemIds(store.getState()).length,
    close: () => comfy.close(),
  }
  return engine
}

const PROMPT = promptIdOf(1)
const runningNodeOf = (nodes: number) => comfyNodeIdOf(nodes - 1)

/** A `progress_state` map: every node but the last finished, the last running at `value` of STEPS. */
function wholeMap(nodes: number, value: number) {
  const map: Record<string, ReturnType<typeof comfyWire.nodeProgress>> = {}
  for (let node = 0; node < nodes - 1; node += 1) {
    const id = comfyNodeIdOf(node)
    map[id] = comfyWire.nodeProgress(PROMPT, id, 'finished', 1, 1)
  }
  const running = runningNodeOf(nodes)
  map[running] = comfyWire.nodeProgress(PROMPT, running, 'running', value, STEPS)
  return map
}

/**
 * A prompt of `nodes` nodes that has run every node but its last, which runs now: queued, started, the
 * server's whole-prompt snapshot, the last node's `executing`. Not timed.
 */
function engineWithRunningPrompt(nodes: number): ComfyEngine {
  const engine = createComfyEngine()
  engine.queue(PROMPT)
  engine.feed(
    [
      comfyWire.executionStart(PROMPT),
      comfyWire.executing(PROMPT, runningNodeOf(nodes)),
      comfyWire.progressState(PROMPT, wholeMap(nodes, 0)),
    ].map(fromTheSocket),
  )
  const summary = engine.summary(PROMPT)
  const states = Object.values(summary?.nodes ?? {})
  if (
    states.length !== nodes ||
    states.filter((node) => node.status === 'COMPLETED').length !== nodes - 1 ||
    summary?.nodes[runningNodeOf(nodes)]?.status !== 'IN_PROGRESS'
  )
    throw new Error(`comfyui: the ${nodes}-node prompt is not set up as one running node (${states.length})`)
  return engine
}

/** `value` of a pool's frame `i`: consecutive frames always differ, so every one of them changes state. */
const valueAt = (i: number) => (i % STEPS) + 1

const sizeLabel = (nodes: number) => `${count(nodes)} nodes`

/** h. `progress` frames on the running node of prompts of 10 to 10,000 nodes: flat in the prompt's size. */
export async function runComfyProgressStream(config: BenchConfig): Promise<StreamReport> {
  const { nodes: sizes, framesPerRound } = config.comfy
  const poolSize = Math.min(POOL, framesPerRound)
  const cycles = Math.ceil(framesPerRound / poolSize)
  const frames = cycles * poolSize
  const engines = new Map(sizes.map((nodes) => [String(nodes), engineWithRunningPrompt(nodes)]))
  const pools = new Map(
    sizes.map((nodes) => [
      String(nodes),
      Array.from({ length: poolSize }, (_, i) =>
        fromTheSocket(comfyWire.progress(PROMPT, runningNodeOf(nodes), valueAt(i), STEPS)),
      ),
    ]),
  )
  const names = sizes.map(String)
  const samples = await interleavedRounds(
    names,
    { ...config.comfy, collectBetweenRounds: config.collectBetweenRounds },
    async (name) => {
      const engine = engines.get(name) as ComfyEngine
      const pool = pools.get(name) as ComfyFrame[]
      const start = now()
      for (let cycle = 0; cycle < cycles; cycle += 1) engine.feed(pool)
      await macrotask()
      return ((now() - start) * 1000) / frames
    },
  )
  const us = medians(samples)
  const smallest = us[String(sizes[0])] as number
  const outcomes = sizes.map((nodes) => ({
    label: `progress, ${nodes} nodes`,
    summaries: { engine: engines.get(String(nodes))?.summary(PROMPT) },
  }))
  for (const engine of engines.values()) engine.close()
  return {
    title: 'h. ComfyUI: `progress` frames, one node running',
    notes: [
      `One prompt per size, every node but one finished (set up by one whole \`progress_state\`, not timed); ` +
        `${count(frames)} \`progress\` frames per round on the running node, values cycling over ${STEPS} steps ` +
        `(each frame changes state). ${config.comfy.warmupRounds} warm-up round dropped, median of ` +
        `${config.comfy.rounds}, the sizes interleaved round by round.`,
    ],
    tables: [
      {
        headers: ['prompt', 'frames × rounds', 'engine µs/frame', `vs ${sizeLabel(sizes[0] as number)}`],
        rows: sizes.map((nodes) => [
          sizeLabel(nodes),
          `${count(frames)} × ${config.comfy.rounds}`,
          decimal(us[String(nodes)] as number),
          ratio((us[String(nodes)] as number) / smallest),
        ]),
      },
    ],
    outcomes,
  }
}

type StateVariant = 'whole' | 'one' | 'zod'

/**
 * i. `progress_state` frames as the server sends them (every node that is not pending, on every tick),
 * against the same tick with only the changed node in the map, and against zod's validation alone.
 */
export async function runComfyProgressStateStream(config: BenchConfig): Promise<StreamReport> {
  const { nodes: sizes, framesPerRound, entriesPerRound } = config.comfy
  const variants: StateVariant[] = ['whole', 'one', 'zod']
  const nameOf = (nodes: number, variant: StateVariant) => `${nodes}:${variant}`
  interface Plan {
    engine: ComfyEngine | null
    pool: ComfyFrame[]
    cycles: number
  }
  const plans = new Map<string, Plan>()
  for (const nodes of sizes) {
    const running = runningNodeOf(nodes)
    // Whole maps: parsed copies, fresh objects per frame, only as many as POOL_ENTRIES allows (at least two).
    const wholeFrames = Math.max(10, Math.ceil(entriesPerRound / nodes))
    const wholePool = Math.max(2, Math.min(POOL, Math.floor(POOL_ENTRIES / nodes), wholeFrames))
    const whole = Array.from({ length: wholePool }, (_, i) =>
      fromTheSocket(comfyWire.progressState(PROMPT, wholeMap(nodes, valueAt(i)))),
    )
    const onePool = Math.min(POOL, framesPerRound)
    const one = Array.from({ length: onePool }, (_, i) =>
      fromTheSocket(
        comfyWire.progressState(PROMPT, {
          [running]: comfyWire.nodeProgress(PROMPT, running, 'running', valueAt(i), STEPS),
        }),
      ),
    )
    const wholeCycles = Math.ceil(wholeFrames / wholePool)
    plans.set(nameOf(nodes, 'whole'), {
      engine: engineWithRunningPrompt(nodes),
      pool: whole,
      cycles: wholeCycles,
    })
    plans.set(nameOf(nodes, 'one'), {
      engine: engineWithRunningPrompt(nodes),
      pool: one,
      cycles: Math.ceil(framesPerRound / onePool),
    })
    plans.set(nameOf(nodes, 'zod'), { engine: null, pool: whole, cycles: wholeCycles })
  }
  const schema = COMFY_FRAME_SCHEMAS.progress_state
  const names = sizes.flatMap((nodes) => variants.map((variant) => nameOf(nodes, variant)))
  const samples = await interleavedRounds(
    names,
    { ...config.comfy, collectBetweenRounds: config.collectBetweenRounds },
    async (name) => {
      const { engine, pool, cycles } = plans.get(name) as Plan
      const start = now()
      if (engine) {
        for (let cycle = 0; cycle < cycles; cycle += 1) engine.feed(pool)
        await macrotask()
      } else {
        for (let cycle = 0; cycle < cycles; cycle += 1)
          for (const frame of pool) if (!schema.safeParse(frame.data).success) throw new Error('zod refused')
      }
      return ((now() - start) * 1000) / (cycles * pool.length)
    },
  )
  const us = medians(samples)
  const table: Table = {
    headers: [
      'map entries',
      'frames × rounds (whole / one)',
      'whole map µs/frame',
      'µs/entry',
      'one changed entry µs/frame',
      'skip-unchanged µs/entry',
      'zod alone µs/entry',
    ],
    rows: sizes.map((nodes) => {
      const whole = us[nameOf(nodes, 'whole')] as number
      const one = us[nameOf(nodes, 'one')] as number
      const zod = us[nameOf(nodes, 'zod')] as number
      const framesOf = (variant: StateVariant) => {
        const plan = plans.get(nameOf(nodes, variant)) as Plan
        return plan.cycles * plan.pool.length
      }
      return [
        count(nodes),
        `${count(framesOf('whole'))} / ${count(framesOf('one'))} × ${config.comfy.rounds}`,
        decimal(whole),
        decimal(whole / nodes),
        decimal(one),
        nodes > 1 ? decimal((whole - one) / (nodes - 1)) : '—',
        decimal(zod / nodes),
      ]
    }),
  }
  const outcomes = sizes.flatMap((nodes) =>
    (['whole', 'one'] as const).map((variant) => ({
      label: `progress_state ${variant}, ${nodes} nodes`,
      summaries: { engine: plans.get(nameOf(nodes, variant))?.engine?.summary(PROMPT) },
    })),
  )
  for (const plan of plans.values()) plan.engine?.close()
  return {
    title: 'i. ComfyUI: `progress_state` frames, the whole map re-sent on every tick',
    notes: [
      'The prompts of h (every node but one finished, one running). "whole map": each frame lists every ' +
        "node, as core's `progress_state` does on every tick (finished ones unchanged, the running one's " +
        'value moved): its cost is linear in the map by nature. "one changed entry": the same tick with ' +
        'only the running node in the map. "skip-unchanged µs/entry" = (whole − one) / (entries − 1): what ' +
        "each unchanged entry costs on its way to being skipped (zod, the frame→event mapping, the model's " +
        'look-up). "zod alone": `COMFY_FRAME_SCHEMAS.progress_state.safeParse` on the same whole-map frames, ' +
        `outside the store. Whole-map rounds carry about ${count(entriesPerRound)} entries; ` +
        `${config.comfy.warmupRounds} warm-up round dropped, median of ${config.comfy.rounds}, interleaved.`,
    ],
    tables: [table],
    outcomes,
  }
}

/** Frames of one prompt of stream j: its one node runs three steps and outputs one image. */
const FRAMES_PER_PROMPT = 7
const PROMPT_NODE = '9'

function promptFrames(n: number): ComfyFrame[] {
  const promptId = promptIdOf(n)
  return [
    comfyWire.executionStart(promptId),
    comfyWire.executing(promptId, PROMPT_NODE),
    comfyWire.progress(promptId, PROMPT_NODE, 1, 3),
    comfyWire.progress(promptId, PROMPT_NODE, 2, 3),
    comfyWire.progress(promptId, PROMPT_NODE, 3, 3),
    comfyWire.executed(promptId, PROMPT_NODE, `ComfyUI_${n}.png`),
    comfyWire.executionSuccess(promptId),
  ].map(fromTheSocket)
}

interface PromptsRound {
  /** Per prompt: its dispatches and the event-loop turn after it, ms. */
  promptMs: Float64Array
  held: number
  asked: number
  unsettledEvicted: number
  summary: ItemSummary | undefined
}

async function runPromptsRound(
  config: BenchConfig['comfy']['prompts'],
  overheadMs: number,
): Promise<PromptsRound> {
  const asked = { count: 0 }
  const engine = createComfyEngine({
    maxItems: config.maxItems,
    lookupPrompt: async ({ promptId, meta }) => {
      asked.count += 1
      const n = Number.parseInt(promptId.slice(-12), 16)
      return completedLookup(meta, PROMPT_NODE, `ComfyUI_${n}.png`)
    },
  })
  const prompts = config.count
  const promptMs = new Float64Array(prompts)
  // Built before the clock starts: parsed copies, fresh objects per prompt as the socket gives them.
  const frames = Array.from({ length: prompts }, (_, i) => promptFrames(i + 1))
  for (let i = 0; i < prompts; i += 1) {
    const start = now()
    engine.queue(promptIdOf(i + 1))
    engine.feed(frames[i] as ComfyFrame[])
    // The reconciliation the terminal frame asked for answers in microtasks: done by the next turn.
    await macrotask()
    promptMs[i] = now() - start - overheadMs
  }
  const state = engine.store.getState().workflowExecution
  const round = {
    promptMs,
    held: engine.itemCount(),
    asked: asked.count,
    unsettledEvicted: state.stats.unsettledEvicted,
    summary: engine.summary(promptIdOf(prompts)),
  }
  engine.close()
  return round
}

/** µs per frame over prompts [from, to) of a round. */
function rangeUs(round: PromptsRound, from: number, to: number): number {
  let sum = 0
  for (let i = from; i < to; i += 1) sum += round.promptMs[i] as number
  return to > from ? (sum * 1000) / ((to - from) * FRAMES_PER_PROMPT) : Number.NaN
}

/** j. Many prompts back to back with the item cap evicting: flat in the number of prompts run. */
export async function runComfyPromptsStream(config: BenchConfig): Promise<StreamReport> {
  const plan = config.comfy.prompts
  const overheadMs = clockOverheadMs(config.smoke ? 1_000 : 200_000)
  const rounds: PromptsRound[] = []
  for (let round = 0; round < plan.warmupRounds + plan.rounds; round += 1) {
    const result = await runPromptsRound(plan, overheadMs)
    if (round >= plan.warmupRounds) rounds.push(result)
  }
  const { count: prompts, maxItems } = plan
  const tenth = Math.max(1, Math.ceil(prompts / 10))
  const pick = (from: number, to: number) => median(rounds.map((round) => rangeUs(round, from, to)))
  const overall = pick(0, prompts)
  const first = pick(0, tenth)
  const last = pick(prompts - tenth, prompts)
  const last0 = rounds.at(-1) as PromptsRound
  const summary: Table = {
    headers: [
      'prompts',
      'rounds',
      'µs/prompt',
      'µs/frame',
      'first 10 % µs/frame',
      'last 10 % µs/frame',
      'last/first',
      'held at end',
      'reconciled',
      'unsettled evicted',
    ],
    rows: [
      [
        count(prompts),
        String(rounds.length),
        decimal(overall * FRAMES_PER_PROMPT),
        decimal(overall),
        decimal(first),
        decimal(last),
        ratio(last / first),
        count(last0.held),
        count(last0.asked),
        count(last0.unsettledEvicted),
      ],
    ],
  }
  // The shape of the stream: the cap is reached at maxItems, the evicted ids' list fills maxEvictedIds later.
  const edges = [0, maxItems, ...Array.from({ length: 10 }, (_, k) => (k + 1) * tenth)]
    .filter((edge, at, all) => edge <= prompts && (at === 0 || edge > (all[at - 1] as number)))
    .map((edge) => Math.min(edge, prompts))
  const spans = edges.slice(1).map((to, at) => [edges[at] as number, to] as const)
  const shape: Table = {
    headers: ['prompts', ...spans.map(([from, to]) => `${count(from + 1)}–${count(to)}`)],
    rows: [['µs/frame', ...spans.map(([from, to]) => decimal(pick(from, to)))]],
  }
  return {
    title: `j. ComfyUI: ${count(prompts)} prompts back to back, maxItems ${maxItems}`,
    notes: [
      'Each prompt: `promptQueued`, then execution_start, executing, 3 × progress, executed (one image), ' +
        `execution_success (${FRAMES_PER_PROMPT} frames). The terminal frame asks the server at once ` +
        '(`terminalReconcileDelayMs: 0`, standing in for the `executing { node: null }` that follows it on a ' +
        'live server) and a scripted `lookupPrompt` answers with the persisted run, so the item settles and ' +
        `the cap of ${maxItems} evicts it later. Per prompt, its ${FRAMES_PER_PROMPT + 1} dispatches and one ` +
        'event-loop turn (in which the reconciliation and its output check run) are on the clock; µs/frame ' +
        `divides by ${FRAMES_PER_PROMPT}. A fresh store per round, ${plan.warmupRounds} warm-up round ` +
        `dropped, median of ${plan.rounds}; "held", "reconciled" and "unsettled evicted" from the last round. ` +
        `The second table: µs/frame over spans of the stream (prompts 1–${count(maxItems)} run below the cap).`,
    ],
    tables: [summary, shape],
    outcomes: [{ label: `prompt ${prompts} of ${prompts}`, summaries: { engine: last0.summary } }],
  }
}
