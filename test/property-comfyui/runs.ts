import type { NodeStatus } from '../../src'
import { comfyOutput, type ComfyOutput } from '../../src/comfyui'
import {
  executedOutputFrame,
  executingNodeFrame,
  executionBlockedFrame,
  executionCachedFrame,
  executionFailedFrame,
  executionInterruptedFrame,
  executionStartFrame,
  executionSuccessFrame,
  historyEntry,
  previewFrame,
  previewWithMetadataFrame,
  progressOf,
  progressStateOf,
  type NodeProgressEntry,
} from '../helpers/comfyWire'
import { downstreamOf, type GraphSpec, type PromptGraph } from './graph'

/*
 * One prompt's run on the server, as the worker performs it (docs/comfyui.md §3.3): the frames in their
 * one order, the history entry it writes, and what that entry says of every node, stated here from the
 * run itself (not read back through the engine's own mapping).
 *
 * execution_start, execution_cached (every cached prompt node, run or not), then per visited node:
 * a cached output sends `executed` with its cached output and a finished progress_state; another node
 * `executing`, a running progress_state, per step progress_state + preview + progress, its `executed`
 * if it is an output, a finished progress_state. The ExecutionBlocked node sends its non-terminal error
 * instead of running, and every node that links from it runs without output. Then execution_success,
 * or the error at a node (after some of its steps), or the interrupt (before a node, or during it).
 */

export type Ending =
  | { kind: 'success' }
  /** At the `at`-th node that runs (modulo), after `after` of its steps. */
  | { kind: 'failure'; at: number; after: number }
  /** At the `at`-th node that runs: before it starts (`after` 0) or after `after - 1` of its steps. */
  | { kind: 'interrupt'; at: number; after: number }
  /** POST /queue { delete } while pending, `back` steps before it would have started (at the earliest, once submitted). */
  | { kind: 'deleted'; back: number }
  /** POST /queue { clear } `back` steps before it would have started: every prompt pending then goes. */
  | { kind: 'cleared'; back: number }

export type RunEnding = Extract<Ending, { kind: 'success' | 'failure' | 'interrupt' }>

export interface PromptSpec {
  graph: GraphSpec
  /** Which node ExecutionBlocked stops (among those that run before the stop and are no outputs). */
  blocked: number | null
  progressSteps: number
  previews: boolean
  ending: Ending
  /** Steps from the terminal frame to the history being written. */
  lag: number
  /** Steps from the previous prompt's submission to this one's. */
  gap: number
}

/** Who hears a frame: the prompt's client only, its client or everyone (no client), everyone. */
export type Audience = 'client' | 'clientOrAll' | 'all'

export interface Emission {
  audience: Audience
  wire: string | Uint8Array
  label: string
  /** For `executing`: the display node, which a reconnect replays while the node runs. */
  executing?: string
}

export interface NodeTruth {
  status: NodeStatus
  outputs: ComfyOutput[]
  cached: boolean
}

export interface OutputTruth {
  preparedId: string
  sourceNodeId: string
  output: ComfyOutput
}

export interface PromptTruth {
  status: 'completed' | 'failed' | 'canceled'
  /** Never ran, never in history: the server holds it nowhere (deleted or cleared while pending). */
  gone: boolean
  nodes: Record<string, NodeTruth>
  outputs: OutputTruth[]
  /** The node ExecutionBlocked stopped, if the run reached it. */
  blocked: string | null
}

export type HistoryEntryBody = ReturnType<typeof historyEntry>

export interface PromptRun {
  graph: PromptGraph
  /** From execution_start to the terminal frame, inclusive. */
  emissions: Emission[]
  entry: HistoryEntryBody
  truth: PromptTruth
}

export const GONE: PromptTruth = { status: 'canceled', gone: true, nodes: {}, outputs: [], blocked: null }

const IMAGE = new Uint8Array([137, 80, 78, 71])

export interface RunIdentity {
  promptId: string
  /** Its place in the queue (POST /prompt's `number`). */
  number: number
  /** Queued with this client's id: its frames come to this socket. Otherwise an API script's, heard only as broadcast. */
  own: boolean
  /** execution_start's timestamp (ms). */
  startedAt: number
}

export function buildRun(
  spec: PromptSpec,
  graph: PromptGraph,
  ending: RunEnding,
  identity: RunIdentity,
): PromptRun {
  const { promptId, own, startedAt } = identity
  const { order, cached, outputs: outputNodes, save } = graph
  const isOutput = (id: string) => outputNodes.includes(id)
  const ranNodes = order.filter((id) => !cached.has(id))
  const stop = ending.kind === 'success' ? null : (ranNodes[ending.at % ranNodes.length] as string)
  const stopIndex = stop === null ? order.length : order.indexOf(stop)
  const candidates = ranNodes.filter((id) => !isOutput(id) && order.indexOf(id) < stopIndex)
  let blocked =
    spec.blocked === null || candidates.length === 0
      ? null
      : (candidates[spec.blocked % candidates.length] as string)
  // A node that links from a blocked one does not run its code: it cannot fail.
  if (blocked !== null && ending.kind === 'failure' && downstreamOf(graph, [blocked]).has(stop as string))
    blocked = null
  const silenced = blocked === null ? new Set<string>() : downstreamOf(graph, [blocked])

  const emissions: Emission[] = []
  const emit = (audience: Audience, wire: string | Uint8Array, label: string, executing?: string) =>
    emissions.push({ audience, wire, label, ...(executing === undefined ? {} : { executing }) })
  const progress = new Map<string, NodeProgressEntry>()
  const progressState = (node: string, entry: Omit<NodeProgressEntry, 'node'>) => {
    progress.set(node, { node, ...entry })
    emit(
      'clientOrAll',
      progressStateOf(promptId, [...progress.values()]),
      `progress_state ${node} ${entry.state}`,
    )
  }
  const executed: string[] = []
  const persistedOutputs: Record<string, Record<string, unknown>> = {}
  const displayNodes: Record<string, string> = {}
  const tag = promptId.slice(-4)
  const uiOf = (id: string, from: 'run' | 'cache') => ({
    images: [
      {
        filename: `${from === 'cache' ? 'cached' : tag}-${id}.png`,
        subfolder: '',
        type: id === save ? 'output' : 'temp',
      },
    ],
  })

  const start = (node: string, display: string) => {
    emit('client', executingNodeFrame(node, display, promptId), `executing ${node}`, display)
    progressState(node, { display, real: display, value: 0, max: 1, state: 'running' })
  }
  const step = (node: string, display: string, value: number, max: number) => {
    progressState(node, { display, real: display, value, max, state: 'running' })
    if (!spec.previews) return void emit('clientOrAll', progressOf(promptId, display, value, max), 'progress')
    if (own)
      emit(
        'client',
        previewWithMetadataFrame({ promptId, node, display, real: display }, IMAGE),
        `preview ${node}`,
      )
    emit('clientOrAll', progressOf(promptId, display, value, max), `progress ${display} ${value}/${max}`)
    if (!own) emit('clientOrAll', previewFrame(IMAGE), 'preview (type 1)')
  }
  const finish = (node: string, display: string) => {
    progressState(node, { display, real: display, value: 1, max: 1, state: 'finished' })
    executed.push(node)
  }
  const output = (node: string, display: string, from: 'run' | 'cache') => {
    const ui = uiOf(node, from)
    emit('client', executedOutputFrame(node, display, ui, promptId), `executed ${node}`)
    persistedOutputs[node] = ui
    if (node !== display) displayNodes[node] = display
  }
  /** How many steps a node runs: a sampler's; an output's none (its ephemeral node's, when it expands). */
  const stepsOf = (id: string) => (silenced.has(id) || (isOutput(id) && id !== save) ? 0 : spec.progressSteps)
  const expands = (id: string) => id === save && graph.ephemeral !== null && !silenced.has(id)

  /** Runs a node, all of it, or up to `upto` steps when the run stops in it. */
  const runNode = (id: string, upto: number | null) => {
    start(id, id)
    if (id === blocked) {
      emit(
        'clientOrAll',
        executionBlockedFrame({ promptId, node: id, nodeType: graph.classOf(id), executed: [...executed] }),
        `ExecutionBlocked ${id}`,
      )
      return finish(id, id)
    }
    const worker = expands(id) ? (graph.ephemeral as string) : id
    if (worker !== id) start(worker, id)
    const steps = stepsOf(id)
    for (let value = 1; value <= Math.min(upto ?? steps, steps); value += 1) step(worker, id, value, steps)
    if (upto !== null) return
    if (isOutput(id) && !silenced.has(id)) output(worker, id, 'run')
    if (worker !== id) finish(worker, id)
    finish(id, id)
  }

  emit('client', executionStartFrame(promptId, startedAt), 'execution_start')
  const cachedIds = graph.ids.filter((id) => cached.has(id))
  emit('client', executionCachedFrame(cachedIds, promptId, startedAt + 2), `execution_cached [${cachedIds}]`)
  for (const id of order.slice(0, stopIndex)) {
    if (cached.has(id)) {
      output(id, id, 'cache')
      finish(id, id)
    } else runNode(id, null)
  }
  const stopped = {
    promptId,
    node: stop as string,
    nodeType: graph.classOf(stop ?? save),
    executed: [...executed],
  }
  const endedAt = startedAt + 9000
  if (ending.kind === 'success') emit('client', executionSuccessFrame(promptId, endedAt), 'execution_success')
  else if (ending.kind === 'failure') {
    runNode(stop as string, ending.after)
    emit('client', executionFailedFrame({ ...stopped, timestamp: endedAt }), `execution_error ${stop}`)
  } else {
    if (ending.after > 0) runNode(stop as string, ending.after - 1)
    emit(
      'clientOrAll',
      executionInterruptedFrame({ ...stopped, timestamp: endedAt }),
      `execution_interrupted ${stop}`,
    )
  }

  const entry = historyEntry({
    promptId,
    number: identity.number,
    prompt: graph.prompt,
    outputsToExecute: outputNodes,
    outputs: persistedOutputs,
    displayNodes,
    cached: cachedIds,
    end: ending.kind === 'success' ? 'success' : ending.kind === 'failure' ? 'error' : 'interrupted',
    ...(stop === null ? {} : { node: stop, nodeType: graph.classOf(stop), executed: [...executed] }),
    startedAt,
  })

  // The truth: what the written entry says of each node that runs or came from cache (execution_cached
  // lists every cached node, needed or not), from the run itself.
  const done = new Set(executed)
  const nodes: Record<string, NodeTruth> = {}
  for (const id of graph.ids) {
    if (!graph.runs.has(id) && !cached.has(id)) continue
    const status: NodeStatus =
      ending.kind === 'success' || cached.has(id) || done.has(id)
        ? 'COMPLETED'
        : ending.kind === 'failure' && id === stop
          ? 'FAILED'
          : 'CANCELED'
    const own = Object.keys(persistedOutputs).filter((runtime) => (displayNodes[runtime] ?? runtime) === id)
    nodes[id] = {
      status,
      outputs: own.map((runtime) => comfyOutput(persistedOutputs[runtime] as Record<string, unknown>)),
      cached: cached.has(id),
    }
  }
  return {
    graph,
    emissions,
    entry,
    truth: {
      status: ending.kind === 'success' ? 'completed' : ending.kind === 'failure' ? 'failed' : 'canceled',
      gone: false,
      nodes,
      outputs: Object.entries(persistedOutputs).map(([preparedId, ui]) => ({
        preparedId,
        sourceNodeId: displayNodes[preparedId] ?? preparedId,
        output: comfyOutput(ui),
      })),
      // Reached only if the run got past it.
      blocked: blocked !== null && done.has(blocked) ? blocked : null,
    },
  }
}
