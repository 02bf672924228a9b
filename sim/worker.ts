// The session processor: one item at a time, in queue order. Runs the graph for real (topological
// order, iterate fan-out), emits the events in the server's order and saves the session when the
// server does: before `completed`/`failed`, a moment after `canceled`, and when a workflow-call
// parent starts waiting. A waiting parent leaves the worker to its child and comes back as pending.
import type { EventEmitter } from 'node:events'
import { SIGNAL_ITEM } from './emit'
import type { Emitter } from './emit'
import { prepareSource, topologicalOrder } from './graph'
import type { PreparedCopy } from './graph'
import { NodeError, nodeDefinitions } from './nodes'
import type { NodeContext } from './nodes'
import type { ImageStore } from './images'
import { progressImage } from './payloads'
import { previewFrames } from './picture'
import type { PictureSpec } from './picture'
import { isTerminal } from './queue'
import type { QueueStore } from './queue'
import { uuid } from './random'
import { createRow } from './rows'
import type { Timers } from './timers'
import type { DeliveryOptions, Graph, QueueRow, SessionState } from './types'

/** Thrown inside a run when it must stop without further events (cancel, clear, close). */
class Interrupted extends Error {
  constructor() {
    super('interrupted')
    this.name = 'Interrupted'
  }
}

interface Run {
  row: QueueRow
  /** Aborted by a cancel request: sleeps stop at once unless a cancel race is simulated. */
  cancel: AbortController
  /** Aborted by clear and close: everything stops at once, silently. */
  kill: AbortController
  canceledAt: number | null
}

/** A run off the worker: waiting for its child, or pending again until the worker takes it back. */
interface Parked {
  run: Run
  wake(): void
}

export interface WorkerDeps {
  store: QueueStore
  emit: Emitter
  timers: Timers
  signals: EventEmitter
  delivery: () => DeliveryOptions
  /** Where image nodes' files go (kept across clears, emptied by a restart). */
  images: ImageStore
  stepDelayMs: number
  cancelPersistDelayMs: number
}

export const SIGNAL_SETTLED = 'settled'

/** The persisted copy of a live session: a deep copy, with the bookkeeping fields the server keeps. */
function snapshot(live: SessionState): SessionState {
  const saved = structuredClone(live)
  const executed = new Set(saved.executed)
  saved.indegree = Object.fromEntries(
    Object.keys(saved.execution_graph.nodes).map((id) => [
      id,
      saved.execution_graph.edges.filter(
        (e) => e.destination.node_id === id && !executed.has(e.source.node_id),
      ).length,
    ]),
  )
  saved.ready_order = []
  return saved
}

function register(live: SessionState, copies: PreparedCopy[]) {
  for (const copy of copies) {
    live.execution_graph.nodes[copy.id] = copy.node
    live.execution_graph.edges.push(...copy.edges)
    live.prepared_source_mapping[copy.id] = copy.sourceId
    ;(live.source_prepared_mapping[copy.sourceId] ??= []).push(copy.id)
    if (copy.path.length > 0) live.prepared_iteration_paths[copy.id] = copy.path.map(([, index]) => index)
  }
}

export function createWorker(deps: WorkerDeps) {
  const { store, emit, timers, signals } = deps
  const state = { current: null as Run | null, scheduled: false, closed: false }
  // Items whose canceled session is still to be saved (the row, as ids start again after a restart).
  const pendingSaves = new Map<number, QueueRow>()
  const parked = new Map<number, Parked>()

  const alive = (row: QueueRow) => !state.closed && store.get(row.item_id) === row

  const stopIfCanceled = (run: Run) => {
    if (run.kill.signal.aborted || run.cancel.signal.aborted || !alive(run.row)) throw new Interrupted()
  }

  const save = (row: QueueRow, live: SessionState) => {
    if (alive(row)) row.session = snapshot(live)
  }

  const contextFor = (run: Run, live: SessionState, copy: PreparedCopy): NodeContext => {
    // `previews`: the frames of the picture this node previews, drawn once for all its steps.
    const local = {
      finishing: false,
      previews: null as { picture: PictureSpec; frame: ReturnType<typeof previewFrames> } | null,
    }
    const previewOf = (picture: PictureSpec, step: number, total: number) => {
      const known = local.previews
      const same =
        known?.picture.seed === picture.seed &&
        known.picture.width === picture.width &&
        known.picture.height === picture.height
      const previews = same ? known : { picture, frame: previewFrames(picture) }
      local.previews = previews
      return progressImage(previews.frame(step, total))
    }
    /** One unit of work: `stepDelayMs` in all, of which `spentMs` were already spent (drawing a preview). */
    const unit = async (spentMs = 0) => {
      stopIfCanceled(run)
      const race = deps.delivery().cancelRace
      const signals = race ? [run.kill.signal] : [run.kill.signal, run.cancel.signal]
      try {
        await timers.sleep(Math.max(0, deps.stepDelayMs - spentMs), ...signals)
      } catch {
        throw new Interrupted()
      }
      if (!alive(run.row)) throw new Interrupted()
    }
    // The unit of work finished although a cancel came meanwhile: the server's race. The node ends
    // if that was its last unit (or the race is set to complete), otherwise it is interrupted.
    const afterUnit = (last: boolean) => {
      if (!run.cancel.signal.aborted) return
      if (last || deps.delivery().cancelRaceCompletes) local.finishing = true
      else throw new Interrupted()
    }
    return {
      async step(index, total, message, picture) {
        if (local.finishing) return
        stopIfCanceled(run)
        // The preview is drawn within the step's time, so the PNG work does not slow the run down.
        const started = performance.now()
        const image = previewOf(picture, index + 1, total)
        await unit(performance.now() - started)
        emit.invocation(run.row, 'invocation_progress', copy, {
          message,
          percentage: (index + 1) / total,
          image,
          device: null,
        })
        afterUnit(index === total - 1)
      },
      async work() {
        if (local.finishing) return
        await unit()
        afterUnit(true)
      },
      saveImage(picture) {
        if (!alive(run.row)) throw new Interrupted()
        return deps.images.add({
          picture,
          sessionId: run.row.session_id,
          nodeId: copy.id,
          isIntermediate: copy.node.is_intermediate === true,
        })
      },
      callWorkflow: (graph) => callWorkflow(run, live, graph),
    }
  }

  /** Gives the worker up until wake() (a child's end, or pump taking the item back); cancel and kill reject. */
  const leaveWorker = (run: Run) =>
    new Promise<void>((resolve, reject) => {
      const id = run.row.item_id
      const signals = [run.cancel.signal, run.kill.signal]
      const stop = () => {
        cleanup()
        reject(new Interrupted())
      }
      const cleanup = () => {
        if (parked.get(id)?.run === run) parked.delete(id)
        signals.forEach((signal) => signal.removeEventListener('abort', stop))
      }
      if (signals.some((signal) => signal.aborted)) return reject(new Interrupted())
      signals.forEach((signal) => signal.addEventListener('abort', stop, { once: true }))
      parked.set(id, {
        run,
        wake: () => {
          cleanup()
          resolve()
        },
      })
      if (state.current === run) state.current = null
      kick()
    })

  /**
   * A workflow call: the child item is enqueued with the parent's origin and runs first (one more
   * priority); the parent waits (session saved), then resumes `waiting → pending → in_progress`.
   */
  const callWorkflow = async (run: Run, live: SessionState, graph: Graph) => {
    const { row } = run
    stopIfCanceled(run)
    const child = createRow({
      itemId: store.nextItemId(),
      queueId: row.queue_id,
      batchId: uuid(),
      userId: row.user_id,
      priority: row.priority + 1,
      origin: row.origin,
      destination: null,
      graph,
    })
    store.insert(child, false)
    store.link(row, child)
    save(row, live)
    store.transition(row, 'waiting')
    emit.status(row)
    emit.status(child)
    const childDone = () => store.get(child.item_id) !== child || isTerminal(child.status)
    const onSignal = () => {
      if (childDone()) parked.get(row.item_id)?.wake()
    }
    signals.on(SIGNAL_ITEM, onSignal)
    signals.on(SIGNAL_SETTLED, onSignal)
    try {
      const waiting = leaveWorker(run)
      onSignal()
      await waiting
    } finally {
      signals.off(SIGNAL_ITEM, onSignal)
      signals.off(SIGNAL_SETTLED, onSignal)
    }
    // Canceled (or cleared) meanwhile: the canceler already sent what there was to send.
    stopIfCanceled(run)
    if (isTerminal(row.status)) throw new Interrupted()
    if (child.status === 'canceled') {
      // The called workflow was canceled: so is the item that waited for it.
      store.transition(row, 'canceled')
      emit.status(row, true)
      throw new Interrupted()
    }
    if (child.status !== 'completed' || store.get(child.item_id) !== child) {
      throw new NodeError(
        'WorkflowCallError',
        `the called workflow (item ${child.item_id}) ended ${child.status}`,
        'workflow_call',
      )
    }
    store.transition(row, 'pending')
    emit.status(row)
    await leaveWorker(run)
    stopIfCanceled(run)
    if (isTerminal(row.status)) throw new Interrupted()
    store.transition(row, 'in_progress')
    emit.status(row)
    return { item_id: child.item_id, session_id: child.session_id }
  }

  const runCopy = async (run: Run, live: SessionState, copy: PreparedCopy) => {
    const definition = nodeDefinitions[copy.node.type]
    if (!definition)
      throw new NodeError('ValueError', `unknown node type ${copy.node.type}`, copy.node.type, true)
    const inputError = copy.inputError ?? definition.checkInputs?.(copy.node) ?? null
    if (inputError) throw new NodeError('ValidationError', inputError, copy.node.type, true)
    emit.invocation(run.row, 'invocation_started', copy)
    const output = await definition.run(copy, contextFor(run, live, copy))
    if (!alive(run.row)) throw new Interrupted()
    live.results[copy.id] = output
    live.executed.push(copy.id)
    live.executed_history.push(copy.id)
    emit.invocation(run.row, 'invocation_complete', copy, { result: output })
  }

  const fail = (run: Run, live: SessionState, copy: PreparedCopy | null, error: unknown) => {
    const { row } = run
    const nodeError = error instanceof NodeError ? error : null
    const itemError = {
      error_type: nodeError?.errorType ?? (error instanceof Error ? error.name : 'Error'),
      error_message: error instanceof Error ? error.message : String(error),
      error_traceback: nodeError?.traceback ?? (error instanceof Error ? (error.stack ?? '') : ''),
    }
    if (nodeError && copy) live.errors[copy.id] = `${itemError.error_type}: ${itemError.error_message}`
    save(row, live)
    store.transition(row, 'failed', itemError)
    // The server sends `failed` first, then invocation_error; an error outside a node has no invocation_error.
    emit.status(row, !(nodeError && copy))
    if (nodeError && copy) emit.invocation(row, 'invocation_error', copy, itemError, true)
    signals.emit(SIGNAL_SETTLED, row.item_id)
  }

  const saveAfterCancel = (run: Run, live: SessionState) => {
    const { row } = run
    pendingSaves.set(row.item_id, row)
    const due = (run.canceledAt ?? Date.now()) + deps.cancelPersistDelayMs
    timers.after(Math.max(0, due - Date.now()), () => {
      save(row, live)
      if (pendingSaves.get(row.item_id) === row) pendingSaves.delete(row.item_id)
      signals.emit(SIGNAL_SETTLED, row.item_id)
    })
  }

  const execute = async (run: Run) => {
    const { row } = run
    const live = structuredClone(row.session)
    const copiesBySource = new Map<string, PreparedCopy[]>()
    const current = { copy: null as PreparedCopy | null }
    store.transition(row, 'in_progress')
    emit.status(row)
    try {
      for (const sourceId of topologicalOrder(live.graph)) {
        // A turn of the event loop between nodes lets cancel and clear requests in.
        await timers.sleep(0, run.kill.signal).catch(() => {})
        stopIfCanceled(run)
        const copies = prepareSource(live.graph, sourceId, copiesBySource, live.results)
        copiesBySource.set(sourceId, copies)
        register(live, copies)
        for (const copy of copies) {
          stopIfCanceled(run)
          current.copy = copy
          await runCopy(run, live, copy)
        }
        // The source id joins `executed` once all its copies ran, as on the server.
        if (copies.length > 0) {
          live.executed.push(sourceId)
          live.executed_history.push(sourceId)
        }
      }
      stopIfCanceled(run)
      save(row, live)
      store.transition(row, 'completed')
      emit.status(row, true)
      signals.emit(SIGNAL_SETTLED, row.item_id)
    } catch (error) {
      if (!alive(row) || run.kill.signal.aborted) return
      if (run.cancel.signal.aborted || row.status === 'canceled') return saveAfterCancel(run, live)
      fail(run, live, current.copy, error)
    }
  }

  const pump = () => {
    state.scheduled = false
    if (state.closed || state.current) return
    const row = store.nextRunnable()
    if (!row) return
    // A workflow-call parent pending again: its run goes on where it waited.
    const resumed = parked.get(row.item_id)
    if (resumed?.run.row === row) {
      state.current = resumed.run
      return resumed.wake()
    }
    const run: Run = { row, cancel: new AbortController(), kill: new AbortController(), canceledAt: null }
    state.current = run
    execute(run)
      // A bug in the simulator must not take the test process down with an unhandled rejection.
      .catch((error: unknown) => console.error('simulator worker:', error))
      .finally(() => {
        if (state.current === run) state.current = null
        signals.emit(SIGNAL_SETTLED, row.item_id)
        kick()
      })
  }

  /** Every run not ended yet: the running one and the parked ones. */
  const allRuns = () =>
    [state.current, ...[...parked.values()].map((p) => p.run)].filter((run): run is Run => !!run)
  const runsOf = (itemIds: number[]) => allRuns().filter((run) => itemIds.includes(run.row.item_id))

  const kick = () => {
    if (state.closed || state.scheduled || state.current) return
    state.scheduled = true
    timers.after(0, pump)
  }

  return {
    kick,

    /** Cancel of the running (or parked) item: its `canceled` event was already sent by the caller. */
    cancel(itemId: number) {
      for (const run of runsOf([itemId])) {
        if (run.cancel.signal.aborted) continue
        run.canceledAt = Date.now()
        run.cancel.abort()
      }
    },

    /** The rows of these items were deleted (clear): their runs stop silently. */
    kill(itemIds: number[]) {
      runsOf(itemIds).forEach((run) => run.kill.abort())
    },

    runningItemId: () => state.current?.row.item_id ?? null,

    isSaving: (itemId: number) => pendingSaves.has(itemId),

    /** A parked parent is not idle: it resumes once its child ends. */
    isIdle: () => !state.current && !state.scheduled && pendingSaves.size === 0 && parked.size === 0,

    /** A restart: every run stops silently and no save is due any more. */
    reset() {
      allRuns().forEach((run) => run.kill.abort())
      pendingSaves.clear()
    },

    close() {
      state.closed = true
      allRuns().forEach((run) => run.kill.abort())
    },
  }
}
