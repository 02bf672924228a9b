// The prompt worker: one prompt at a time, lowest number first. A run sends the frames of
// docs/comfyui.md §3.3 in their order, runs the nodes in dependency order (cache hits are not run),
// and writes the history entry after the terminal frame (historyLag later), then the status
// broadcast, then `executing null`: the one frame that comes after history is readable.
import type { EventEmitter } from 'node:events'
import { previewFrames } from '../picture'
import { encodePng } from '../png'
import type { Timers } from '../timers'
import { createRunChannel } from './channel'
import type { RunChannel } from './channel'
import { json, previewFrame, previewWithMetadataFrame } from './frames'
import { executionOrder, linkOf, signaturesOf } from './graph'
import type { History } from './history'
import type { Hub } from './hub'
import type { ComfyImageStore } from './images'
import { formatInput, NODE_CLASSES, NodeFailure } from './nodes'
import type { NodeContext, NodeResult } from './nodes'
import { tupleOf } from './queue'
import type { PromptQueue, QueueItem } from './queue'
import type {
  ApiNode,
  ComfyDeliveryOptions,
  HistoryEntry,
  HistoryMessage,
  JsonObject,
  NodeMeta,
  UiOutput,
} from './types'

export const SIGNAL_SETTLED = 'settled'

/** A run's sleep ended by POST /interrupt. */
class Interrupted extends Error {}
/** A run's sleep ended by close(): the run stops without another frame. */
class Closed extends Error {}

interface NodeProgress {
  value: number
  max: number
  state: 'running' | 'finished'
}

/** A node that produced nothing because it (or what it links from) was blocked. */
const BLOCKED = 'blocked'

interface Run {
  item: QueueItem
  clientId: string | null
  channel: RunChannel
  interrupt: AbortController
  /** Until the terminal frame: an interrupt after it changes nothing. */
  executing: boolean
  startedAt: number
  /** The display node of the last `executing`, for a reconnecting client; null between nodes' runs. */
  lastNode: string | null
  messages: HistoryMessage[]
  outputs: Record<string, UiOutput>
  meta: Record<string, NodeMeta>
  /** Every node that is not pending, in the order it left pending (what progress_state lists). */
  progress: Map<string, NodeProgress>
  /** Nodes done (cache hits visited included), for `executed` of errors. */
  executed: string[]
  /** The inputs of the node running now, for `current_inputs` of an error. */
  currentInputs: Record<string, unknown>
}

export interface WorkerDeps {
  queue: PromptQueue
  history: History
  hub: Hub
  images: ComfyImageStore
  timers: Timers
  signals: EventEmitter
  delivery(): ComfyDeliveryOptions
  chaosDrops(): boolean
  stepDelayMs: number
  failSeed: number
  /** Broadcasts `status` (the queue changed). */
  queueChanged(): void
}

export function createWorker(deps: WorkerDeps) {
  const { timers, hub } = deps
  const state = { running: null as Run | null, scheduled: false, closed: false }
  // Node results by cache signature, from successful runs (kept only while cachedNodes is on).
  const cache = new Map<string, NodeResult>()

  const pause = async (run: Run, ms: number) => {
    try {
      await timers.sleep(ms, run.interrupt.signal)
    } catch {
      throw state.closed ? new Closed() : new Interrupted()
    }
  }

  /** A persisted message: stamped and kept for the history entry; returns its data for the frame. */
  const persist = (run: Run, type: string, data: JsonObject) => {
    const stamped = { ...data, timestamp: Date.now() }
    run.messages.push([type, stamped])
    return stamped
  }

  const setProgress = (run: Run, id: string, progress: NodeProgress) => {
    run.progress.set(id, progress)
    const promptId = run.item.promptId
    const nodes = Object.fromEntries(
      [...run.progress].map(([nodeId, entry]) => [
        nodeId,
        {
          ...entry,
          node_id: nodeId,
          prompt_id: promptId,
          display_node_id: nodeId,
          parent_node_id: null,
          real_node_id: nodeId,
        },
      ]),
    )
    run.channel.toClientOrAll(json('progress_state', { prompt_id: promptId, nodes }))
  }

  const finish = (run: Run, id: string) => {
    const max = run.progress.get(id)?.max ?? 1
    setProgress(run, id, { value: max, max, state: 'finished' })
    run.executed.push(id)
  }

  /** A node's UI output: sent as `executed` and kept for history `outputs` and `meta`. */
  const executed = (run: Run, id: string, ui: UiOutput | null) => {
    const promptId = run.item.promptId
    run.channel.toClient(json('executed', { node: id, display_node: id, output: ui, prompt_id: promptId }))
    if (!ui) return
    run.outputs[id] = ui
    run.meta[id] = { node_id: id, display_node: id, parent_node: null, real_node_id: id }
  }

  const contextFor = (run: Run, id: string): NodeContext => {
    // The previews of one sampler: the picture and its noise drawn once, then blurred less each step.
    const local = { frames: null as ReturnType<typeof previewFrames> | null }
    const promptId = run.item.promptId
    return {
      async step(index, total, picture) {
        const started = performance.now()
        // Drawn within the step's time, so previews do not slow the run; skipped when nobody listens.
        const png = hub.size() > 0 ? encodePng((local.frames ??= previewFrames(picture))(index, total)) : null
        await pause(run, Math.max(0, deps.stepDelayMs - (performance.now() - started)))
        setProgress(run, id, { value: index, max: total, state: 'running' })
        // One tick: progress_state, the type-4 preview, progress, the type-1 preview (docs §2.4).
        const withMetadata = run.channel.wantsMetadata()
        if (png && withMetadata) {
          const metadata = {
            node_id: id,
            prompt_id: promptId,
            display_node_id: id,
            parent_node_id: null,
            real_node_id: id,
            image_type: 'image/png' as const,
          }
          run.channel.toClient(previewWithMetadataFrame(metadata, png))
        }
        run.channel.toClientOrAll(
          json('progress', { value: index, max: total, prompt_id: promptId, node: id }),
        )
        if (png && !withMetadata) run.channel.toClientOrAll(previewFrame(png))
      },
      work: () => pause(run, deps.stepDelayMs),
      save: (type, prefix, pictures) => deps.images.save(type, prefix, pictures),
      failSeed: deps.failSeed,
    }
  }

  /** A node's inputs, links replaced by what the linked node produced; BLOCKED if one of them was. */
  const inputsOf = (node: ApiNode, results: Map<string, NodeResult | typeof BLOCKED>) => {
    const inputs: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(node.inputs)) {
      const link = linkOf(value)
      if (!link) {
        inputs[name] = value
        continue
      }
      const result = results.get(link[0])
      if (result === BLOCKED || result === undefined) return BLOCKED
      inputs[name] = result.values[link[1]]
    }
    return inputs
  }

  const runNode = async (run: Run, id: string, results: Map<string, NodeResult | typeof BLOCKED>) => {
    const node = run.item.prompt[id] as ApiNode
    const promptId = run.item.promptId
    if (run.clientId !== null) run.lastNode = id
    run.channel.toClient(json('executing', { node: id, display_node: id, prompt_id: promptId }))
    setProgress(run, id, { value: 0, max: 1, state: 'running' })
    const inputs = inputsOf(node, results)
    run.currentInputs = inputs === BLOCKED ? {} : inputs
    if (inputs !== BLOCKED && deps.delivery().blockedNode === id) {
      // Non-terminal, not persisted, no timestamp: the prompt goes on without this node's output.
      run.channel.toClientOrAll(
        json('execution_error', {
          prompt_id: promptId,
          node_id: id,
          node_type: node.class_type,
          executed: [...run.executed],
          exception_message: `Execution of node ${id} was blocked (simulated)`,
          exception_type: 'ExecutionBlocked',
          traceback: [],
          current_inputs: [],
          current_outputs: [],
        }),
      )
    }
    // What links from a blocked node is blocked too, silently.
    const blocked = inputs === BLOCKED || deps.delivery().blockedNode === id
    const result = blocked
      ? BLOCKED
      : await (NODE_CLASSES[node.class_type] as (typeof NODE_CLASSES)[string]).run(
          inputs,
          contextFor(run, id),
        )
    results.set(id, result)
    if (result !== BLOCKED && result.ui) executed(run, id, result.ui)
    finish(run, id)
  }

  const errorData = (run: Run, id: string | null, error: unknown): JsonObject => {
    const failure = error instanceof NodeFailure ? error : null
    const node = id === null ? undefined : run.item.prompt[id]
    return {
      prompt_id: run.item.promptId,
      node_id: id,
      node_type: node?.class_type ?? null,
      executed: [...run.executed],
      exception_message: error instanceof Error ? error.message : String(error),
      exception_type: failure?.exceptionType ?? (error instanceof Error ? error.name : 'Exception'),
      traceback: failure?.traceback ?? [],
      current_inputs: Object.fromEntries(
        Object.entries(run.currentInputs).map(([name, value]) => [name, [formatInput(value)]]),
      ),
      current_outputs: [...run.executed],
    }
  }

  /** Writes history, then the status broadcast, then `executing null`; the next prompt may start. */
  const taskDone = (run: Run, success: boolean) => {
    const promptId = run.item.promptId
    const entry: HistoryEntry = {
      prompt: tupleOf(run.item),
      outputs: run.outputs,
      status: { status_str: success ? 'success' : 'error', completed: success, messages: run.messages },
      meta: run.meta,
    }
    deps.history.set(promptId, entry)
    state.running = null
    deps.queueChanged()
    run.channel.toClient(json('executing', { node: null, prompt_id: promptId }))
    deps.signals.emit(SIGNAL_SETTLED, promptId, entry)
    kick()
  }

  const execute = async (run: Run) => {
    const { item, channel } = run
    const promptId = item.promptId
    channel.toClient(json('execution_start', persist(run, 'execution_start', { prompt_id: promptId })))
    const caching = deps.delivery().cachedNodes
    if (!caching) cache.clear()
    const signatures = signaturesOf(item.prompt)
    const results = new Map<string, NodeResult | typeof BLOCKED>()
    for (const [id, signature] of signatures) {
      const hit = caching ? cache.get(signature) : undefined
      if (hit) results.set(id, hit)
    }
    const cached = new Set(results.keys())
    channel.toClient(
      json('execution_cached', persist(run, 'execution_cached', { nodes: [...cached], prompt_id: promptId })),
    )
    const ran: string[] = []
    const current = { id: null as string | null }
    const outcome = { success: false }
    try {
      for (const id of executionOrder(item.prompt, item.outputs, cached)) {
        current.id = id
        // A turn of the event loop between nodes lets an interrupt request in, as core checks it per node.
        await pause(run, 0)
        if (run.interrupt.signal.aborted) throw new Interrupted()
        if (cached.has(id)) {
          executed(run, id, (results.get(id) as NodeResult).ui)
          finish(run, id)
          continue
        }
        await runNode(run, id, results)
        ran.push(id)
      }
      outcome.success = true
    } catch (error) {
      if (error instanceof Closed || state.closed) return
      run.executing = false
      run.lastNode = null
      if (error instanceof Interrupted) {
        const node = current.id === null ? undefined : item.prompt[current.id]
        const data = {
          prompt_id: promptId,
          node_id: current.id,
          node_type: node?.class_type ?? null,
          executed: [...run.executed],
        }
        channel.toClientOrAll(json('execution_interrupted', persist(run, 'execution_interrupted', data)))
      } else {
        channel.toClient(
          json('execution_error', persist(run, 'execution_error', errorData(run, current.id, error))),
        )
      }
    }
    if (outcome.success) {
      run.executing = false
      run.lastNode = null
      channel.toClient(json('execution_success', persist(run, 'execution_success', { prompt_id: promptId })))
      if (caching) {
        for (const id of ran) {
          const result = results.get(id)
          if (result && result !== BLOCKED) cache.set(signatures.get(id) as string, result)
        }
      }
    }
    // Race 1 of docs §3.3: the terminal frame is out, the history is not written yet.
    const lag = deps.delivery().historyLag
    if (lag > 0) {
      try {
        await timers.sleep(lag)
      } catch {
        return
      }
    }
    if (!state.closed) taskDone(run, outcome.success)
  }

  const pump = () => {
    state.scheduled = false
    if (state.closed || state.running) return
    const item = deps.queue.pop()
    if (!item) return
    const clientId = typeof item.extraData.client_id === 'string' ? item.extraData.client_id : null
    const run: Run = {
      item,
      clientId,
      channel: createRunChannel({ hub, clientId, delivery: deps.delivery, chaosDrops: deps.chaosDrops }),
      interrupt: new AbortController(),
      executing: true,
      startedAt: Date.now(),
      lastNode: null,
      messages: [],
      outputs: {},
      meta: {},
      progress: new Map(),
      executed: [],
      currentInputs: {},
    }
    state.running = run
    deps.queueChanged()
    execute(run)
      // A bug in the simulator must not take the test process down, nor leave the worker stuck.
      .catch((error: unknown) => {
        console.error('comfy simulator worker:', error)
        if (state.running === run) state.running = null
        kick()
      })
  }

  const kick = () => {
    if (state.closed || state.scheduled || state.running) return
    state.scheduled = true
    timers.after(0, pump)
  }

  return {
    kick,

    /** The prompt core counts as running (until its history is written), with when it started. */
    running: () => (state.running ? { item: state.running.item, startedAt: state.running.startedAt } : null),

    /** Interrupts the running prompt (only if it is `promptId`, when given); false when nothing was. */
    interrupt(promptId?: string): boolean {
      const run = state.running
      if (!run || !run.executing || (promptId !== undefined && run.item.promptId !== promptId)) return false
      run.interrupt.abort()
      return true
    },

    replayFor: (sid: string) => (state.running?.clientId === sid ? state.running.lastNode : null),

    close() {
      state.closed = true
      state.running?.interrupt.abort()
    },
  }
}
