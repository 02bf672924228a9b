/*
 * Cost of one event: the engine's reducer against the yardstick of docs/design.md ("Cost"), a reducer that
 * does only the minimal immutable update the event needs (no validation, no rule table, no tallies, no
 * decision record, no immer). Both run the same progress events over items of 10 and 10,000 nodes, side by
 * side in one process. `npm run bench`.
 */
import {
  invocationProgress,
  invocationStarted,
  queueItemStatusChanged,
  type InvocationCopy,
  type NodeExecutionState,
  type NodeTally,
  type QueueItemExecution,
  type WorkflowExecutionState,
} from '../src'
import { createInitialState, createWorkflowExecution } from '../src/features/workflowExecution'

interface YardstickState {
  items: Record<number, { nodes: Record<string, NodeExecutionState> }>
}

function yardstick(
  state: YardstickState,
  payload: { item_id: number; invocation_source_id: string; percentage: number },
) {
  const item = state.items[payload.item_id]
  const node = item?.nodes[payload.invocation_source_id]
  if (!item || !node) return state
  return {
    items: {
      ...state.items,
      [payload.item_id]: {
        nodes: { ...item.nodes, [payload.invocation_source_id]: { ...node, progress: payload.percentage } },
      },
    },
  }
}

const base = {
  timestamp: 1787134502,
  queue_id: 'default',
  item_id: 1,
  batch_id: 'batch',
  origin: 'workflows',
  destination: 'gallery',
  user_id: 'system',
  session_id: 'session',
}
const invocation = (node: number) => ({
  ...base,
  invocation: { id: `prepared-${node}`, type: 'denoise_latents', is_intermediate: true, use_cache: true },
  invocation_source_id: `node-${node}`,
})
const progress = (node: number, step: number) => ({
  ...invocation(node),
  message: 'Denoising',
  percentage: (step % 100) / 100,
  image: null,
  device: null,
})

const workflowExecutionReducer = createWorkflowExecution({ reconcileOrigins: [] }).reducer

/** An item with `nodes` running nodes, built in one pass (through events it would take O(n²) to set up). */
function setUp(nodes: number) {
  let engine: WorkflowExecutionState = createInitialState({ reconcileOrigins: [] })
  engine = workflowExecutionReducer(
    engine,
    queueItemStatusChanged({
      ...base,
      status: 'in_progress',
      status_sequence: 1,
      started_at: '2026-08-19 10:15:02.104',
    } as never),
  )
  const item = engine.items.entities[1] as QueueItemExecution
  const copies: Record<string, InvocationCopy> = Object.create(null)
  const tallies: Record<string, NodeTally> = Object.create(null)
  const engineNodes: Record<string, NodeExecutionState> = Object.create(null)
  const yardNodes: Record<string, NodeExecutionState> = {}
  for (let node = 0; node < nodes; node += 1) {
    const id = `node-${node}`
    const state: NodeExecutionState = {
      nodeId: id,
      status: 'IN_PROGRESS',
      progress: null,
      progressImage: null,
      outputs: [],
      error: null,
    }
    copies[`prepared-${node}`] = {
      preparedId: `prepared-${node}`,
      sourceNodeId: id,
      status: 'in_progress',
      output: null,
    }
    tallies[id] = { running: 1, completed: 0, failed: 0, canceled: 0, imageFrom: null }
    engineNodes[id] = state
    yardNodes[id] = { ...state }
  }
  engine = {
    ...engine,
    items: { ...engine.items, entities: { 1: { ...item, copies, tallies, nodes: engineNodes } } },
  }
  // One real event first, so the state is frozen as the reducer leaves it.
  engine = workflowExecutionReducer(engine, invocationStarted(invocation(0) as never))
  const yard: YardstickState = { items: { 1: { nodes: yardNodes } } }
  return { engine, yard }
}

function timePerEvent(run: (count: number) => void, count: number): number {
  run(Math.min(count, 200)) // warm-up
  const samples: number[] = []
  for (let round = 0; round < 5; round += 1) {
    const start = process.hrtime.bigint()
    run(count)
    samples.push(Number(process.hrtime.bigint() - start) / count)
  }
  samples.sort((a, b) => a - b)
  return samples[2] as number // median of 5 rounds, ns per event
}

const rows: string[] = []
for (const nodes of [10, 10_000]) {
  const { engine, yard } = setUp(nodes)
  const events = nodes === 10 ? 20_000 : 1_000
  const actions = Array.from({ length: events }, (_, i) =>
    invocationProgress(progress(i % nodes, i) as never),
  )
  const payloads = actions.map((action) => action.payload as unknown as Parameters<typeof yardstick>[1])
  const engineNs = timePerEvent((count) => {
    let state = engine
    for (let i = 0; i < count; i += 1)
      state = workflowExecutionReducer(state, actions[i % actions.length] as never)
  }, events)
  const yardNs = timePerEvent((count) => {
    let state = yard
    for (let i = 0; i < count; i += 1) state = yardstick(state, payloads[i % payloads.length] as never)
  }, events)
  rows.push(
    `| ${nodes.toLocaleString('en-US')} | ${(engineNs / 1000).toFixed(2)} µs | ${(yardNs / 1000).toFixed(2)} µs | ${(engineNs / yardNs).toFixed(1)}× |`,
  )
}

console.log(`progress event, per event (median of 5 rounds), node ${process.version}\n`)
console.log('| nodes in the item | engine reducer | yardstick | ratio |')
console.log('| --- | --- | --- | --- |')
for (const row of rows) console.log(row)
