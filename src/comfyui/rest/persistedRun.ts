import type {
  ItemMeta,
  NodeError,
  PersistedCopy,
  PersistedRun,
} from '../../features/workflowExecution/model/types'
import { comfyOutput } from '../model/outputs'
import { statusOfHistoryEntry, statusOfJob, type PersistedPromptStatus } from './persisted'
import type { ComfyHistoryEntry, ComfyJob } from './schemas'

/*
 * ComfyUI's persisted prompt (a history entry, or the jobs API's job) read as the model's neutral
 * PersistedRun (docs/comfyui.md §4.3, §4.5, §4.6):
 *
 * - the nodes that run are the outputs to execute and their ancestors through links, in the prompt's key
 *   order (JavaScript's: integer-like keys ascending, then the others as written);
 * - `outputs` complete their copies with the node's UI output, placed on `meta[node].display_node`;
 * - `execution_cached` completes the cached nodes that run;
 * - success completes every node that runs; an error fails its `node_id` and completes its `executed`
 *   list; an interrupt completes its `executed` list; the nodes that run and are not accounted for are
 *   `prepared`, which the model shows as not run.
 *
 * The server's answer is read as untrusted: a malformed prompt, link or message is skipped, never thrown.
 */

/** Node classes core marks as output nodes, for a job (which does not persist `outputs_to_execute`). */
export const COMFY_OUTPUT_CLASSES: ReadonlySet<string> = new Set([
  'SaveImage',
  'PreviewImage',
  'SaveAnimatedWEBP',
  'SaveAnimatedPNG',
  'SaveLatent',
  'SaveAudio',
  'PreviewAudio',
  'SaveVideo',
  'SaveWEBM',
  'PreviewAny',
])

type Data = Readonly<Record<string, unknown>>

const isRecord = (value: unknown): value is Data =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const own = <T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined =>
  record && Object.hasOwn(record, key) ? record[key] : undefined

const nodeIdOf = (value: unknown): string | null =>
  typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number' && Number.isSafeInteger(value)
      ? String(value)
      : null

/** A list of node ids; anything else in it is skipped. */
function nodeIdsOf(value: unknown): string[] {
  if (!Array.isArray(value)) return []
  const ids: string[] = []
  for (const item of value as unknown[]) {
    const id = nodeIdOf(item)
    if (id !== null) ids.push(id)
  }
  return ids
}

// ---------------------------------------------------------------------------------------------------------
// The prompt graph

interface PromptNode {
  classType: string | null
  /** The nodes its inputs link to (`[node_id, output_index]`), only those in the prompt. */
  links: string[]
}

/** The API-format prompt (`{ node_id: { class_type, inputs } }`), in its key order; null when it is none. */
export type PromptGraph = ReadonlyMap<string, PromptNode>

const linkOf = (value: unknown): string | null =>
  Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[1]) ? nodeIdOf(value[0]) : null

export function promptGraphOf(prompt: unknown): PromptGraph | null {
  if (!isRecord(prompt)) return null
  const graph = new Map<string, PromptNode>()
  const ids = Object.keys(prompt)
  for (const id of ids) {
    const node = prompt[id]
    const fields = isRecord(node) ? node : {}
    graph.set(id, { classType: typeof fields.class_type === 'string' ? fields.class_type : null, links: [] })
  }
  for (const id of ids) {
    const inputs = (prompt[id] as { inputs?: unknown } | null)?.inputs
    if (!isRecord(inputs)) continue
    const links = (graph.get(id) as PromptNode).links
    for (const name of Object.keys(inputs)) {
      const from = linkOf(inputs[name])
      if (from !== null && graph.has(from)) links.push(from)
    }
  }
  return graph
}

/**
 * The outputs and every node they depend on through links. An explicit stack and a visited set: each
 * node and link is walked once, a cycle or a link to a missing node ends the walk, the call stack is never
 * touched, so the work is linear in the prompt's size whatever its shape.
 */
export function nodesThatRun(graph: PromptGraph, outputs: readonly string[]): Set<string> {
  const seen = new Set<string>()
  const stack = outputs.filter((id) => graph.has(id))
  while (stack.length > 0) {
    const id = stack.pop() as string
    if (seen.has(id)) continue
    seen.add(id)
    for (const from of (graph.get(id) as PromptNode).links) if (!seen.has(from)) stack.push(from)
  }
  return seen
}

// ---------------------------------------------------------------------------------------------------------
// Node identity (§2.3)

type EntryMeta = NonNullable<ComfyHistoryEntry['meta']>

/**
 * The prompt node an id stands for: itself when the prompt has it; for an ephemeral id of node expansion
 * (`12.0.0.3`, prefixed `{root}.{call}.{graph}.`) the shortest dot-ended prefix that is a prompt key, the
 * node that expanded it. Null when neither.
 */
function promptNodeOf(id: string, graph: PromptGraph | null): string | null {
  if (graph === null) return null
  if (graph.has(id)) return id
  for (let at = id.indexOf('.'); at > 0; at = id.indexOf('.', at + 1)) {
    const prefix = id.slice(0, at)
    if (graph.has(prefix)) return prefix
  }
  return null
}

/**
 * The node a copy shows on: `meta[id].display_node` as the server recorded it (outputs only), else its
 * `real_node_id`, else the prompt node it stands for (an expansion displays on the node that expanded it,
 * unless it overrides that, which only `meta` tells), else the id itself.
 */
function sourceOf(id: string, meta: EntryMeta | null | undefined, graph: PromptGraph | null): string {
  const said = own(meta, id)
  return said?.display_node || said?.real_node_id || promptNodeOf(id, graph) || id
}

// ---------------------------------------------------------------------------------------------------------
// Messages (`status.messages`: `[type, data]`)

type Messages = NonNullable<NonNullable<ComfyHistoryEntry['status']>['messages']>

const messagesOf = (entry: ComfyHistoryEntry): Messages => entry.status?.messages ?? []

function firstData(messages: Messages, type: string): Data | null {
  for (const message of messages) if (message[0] === type && isRecord(message[1])) return message[1]
  return null
}

/** The terminal error: the last persisted `execution_error` (`ExecutionBlocked` is never persisted, but skip it). */
function errorData(messages: Messages): Data | null {
  for (let at = messages.length - 1; at >= 0; at -= 1) {
    const [type, data] = messages[at] as Messages[number]
    if (type === 'execution_error' && isRecord(data) && data.exception_type !== 'ExecutionBlocked')
      return data
  }
  return null
}

function lastData(messages: Messages, type: string): Data | null {
  for (let at = messages.length - 1; at >= 0; at -= 1) {
    const [name, data] = messages[at] as Messages[number]
    if (name === type && isRecord(data)) return data
  }
  return null
}

/** Milliseconds since the epoch as an ISO string; null for anything that is not a valid time. */
export function isoOfMillis(ms: unknown): string | null {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return null
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/** Python's `format_tb` lines end with a newline; lines that do not are joined with one. */
function tracebackOf(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value
  if (!Array.isArray(value)) return null
  let text = ''
  for (const line of value as unknown[]) {
    if (typeof line !== 'string') continue
    text += text !== '' && !text.endsWith('\n') ? `\n${line}` : line
  }
  return text === '' ? null : text
}

/** An `execution_error` message's data as the engine's NodeError. */
export function nodeErrorOf(data: Data): NodeError {
  return {
    error_type: typeof data.exception_type === 'string' ? data.exception_type : 'Error',
    error_message: typeof data.exception_message === 'string' ? data.exception_message : '',
    error_traceback: tracebackOf(data.traceback),
  }
}

/** The nodes `execution_cached` lists (every message of that type, first mention first). */
export function cachedNodesOf(entry: ComfyHistoryEntry): string[] {
  const nodes = new Set<string>()
  for (const [type, data] of messagesOf(entry))
    if (type === 'execution_cached' && isRecord(data)) for (const id of nodeIdsOf(data.nodes)) nodes.add(id)
  return [...nodes]
}

// ---------------------------------------------------------------------------------------------------------
// The run

type TerminalStatus = Exclude<PersistedPromptStatus, 'pending' | 'in_progress'>

function runOfEntry(
  entry: ComfyHistoryEntry,
  status: TerminalStatus,
  meta: ItemMeta,
  inferOutputs: ReadonlySet<string> | null,
): PersistedRun {
  const tuple = entry.prompt
  const graph = promptGraphOf(tuple?.[2])
  const outputs = entry.outputs ?? {}
  const outputIds = Object.keys(outputs)
  const messages = messagesOf(entry)
  const entryMeta = entry.meta

  const toExecute =
    inferOutputs === null && Array.isArray(tuple?.[4])
      ? nodeIdsOf(tuple[4])
      : graph === null
        ? []
        : inferredOutputs(graph, outputIds, inferOutputs ?? COMFY_OUTPUT_CLASSES)
  const running = graph === null ? null : nodesThatRun(graph, toExecute)
  const nodeIds = graph === null ? [] : [...graph.keys()].filter((id) => running?.has(id))

  const failure = status === 'failed' ? errorData(messages) : null
  const interrupt = status === 'canceled' ? lastData(messages, 'execution_interrupted') : null
  const stop = failure ?? interrupt
  const executed = stop ? nodeIdsOf(stop.executed) : []
  // Every cached node the server lists, needed or not: what a client that heard execution_cached shows.
  const cached = cachedNodesOf(entry).filter((id) => graph === null || graph.has(id))
  const error = failure ? nodeErrorOf(failure) : null

  const taken = new Set<string>()
  const copyOf = (preparedId: string, outcome: PersistedCopy['outcome']): PersistedCopy => {
    taken.add(preparedId)
    const classType = graph?.get(preparedId)?.classType
    return {
      preparedId,
      sourceNodeId: sourceOf(preparedId, entryMeta, graph),
      outcome,
      ...(classType ? { invocationType: classType } : {}),
    }
  }

  const fromCache = new Set(cached)
  const completed: PersistedCopy[] = []
  for (const id of outputIds) {
    const ui = outputs[id] as Record<string, unknown>
    completed.push({
      ...copyOf(id, 'completed'),
      output: comfyOutput(ui),
      ...(fromCache.has(id) ? { cached: true as const } : {}),
    })
  }
  const failed: PersistedCopy[] = []
  const failedId = failure ? nodeIdOf(failure.node_id) : null
  if (failedId !== null && error !== null && !taken.has(failedId))
    failed.push({ ...copyOf(failedId, 'failed'), error })
  const done = status === 'completed' ? [...cached, ...nodeIds] : [...cached, ...executed]
  for (const id of done)
    if (!taken.has(id))
      completed.push({ ...copyOf(id, 'completed'), ...(fromCache.has(id) ? { cached: true as const } : {}) })
  const prepared: PersistedCopy[] = []
  const interrupted = interrupt ? nodeIdOf(interrupt.node_id) : null
  if (status !== 'completed')
    for (const id of interrupted === null ? nodeIds : [...nodeIds, interrupted])
      if (!taken.has(id)) prepared.push(copyOf(id, 'prepared'))

  return {
    status,
    statusSequence: null,
    startedAt: isoOfMillis(firstData(messages, 'execution_start')?.timestamp),
    error,
    meta,
    copies: [...completed, ...failed, ...prepared],
    executionOrder: [...new Set([...cached, ...executed, ...outputIds])],
    nodeIds,
  }
}

/** A job's outputs to execute: its output-class nodes and the nodes (or their expanders) with outputs. */
function inferredOutputs(
  graph: PromptGraph,
  outputIds: readonly string[],
  classes: ReadonlySet<string>,
): string[] {
  const outputs = new Set<string>()
  for (const id of outputIds) {
    const node = promptNodeOf(id, graph)
    if (node !== null) outputs.add(node)
  }
  for (const [id, node] of graph) if (node.classType !== null && classes.has(node.classType)) outputs.add(id)
  return [...outputs]
}

/**
 * A `GET /history/{id}` entry (validated) as the model's PersistedRun. Throws when the entry's prompt is
 * another prompt's: applying it would be applying someone else's run.
 */
export function persistedRunOfHistoryEntry(
  promptId: string,
  entry: ComfyHistoryEntry,
  meta: ItemMeta,
): PersistedRun {
  const persistedId = entry.prompt?.[1]
  if (persistedId !== undefined && persistedId !== promptId)
    throw new Error(`the history entry of prompt ${persistedId} was given for prompt ${promptId}`)
  const status = statusOfHistoryEntry(entry) as TerminalStatus
  return runOfEntry(entry, status, meta, null)
}

export interface PersistedRunOfJobOptions {
  /**
   * The node classes that are output nodes (a host may know them from `/object_info`'s `output_node`).
   * Default: COMFY_OUTPUT_CLASSES.
   */
  outputClasses?: Iterable<string>
}

/**
 * `GET /api/jobs/{id}` (validated) as the model's PersistedRun: null while the job is pending or in
 * progress (read its status with statusOfJob). The job is read as the history entry it was made from:
 * `workflow.prompt`, `outputs`, `execution_status` (its `execution_start_time` and `execution_error` stand
 * in for messages it lacks). The job does not carry `outputs_to_execute`, so the
 * outputs to execute are the nodes of an output class (`outputClasses`, SaveImage, PreviewImage, …) and the
 * nodes that have outputs: a custom output node that produced nothing, or a partial-execution target list,
 * is not seen, and the nodes only it needs are left out of `nodeIds`. The job has no `meta` either: an
 * ephemeral output id shows on the prompt node that expanded it.
 */
export function persistedRunOfJob(
  job: ComfyJob,
  meta: ItemMeta,
  options: PersistedRunOfJobOptions = {},
): PersistedRun | null {
  const status = statusOfJob(job)
  if (status === 'pending' || status === 'in_progress') return null
  const workflow = job.workflow ?? {}
  const messages: Messages = [...(job.execution_status?.messages ?? [])]
  if (firstData(messages, 'execution_start') === null && job.execution_start_time != null)
    messages.unshift(['execution_start', { prompt_id: job.id, timestamp: job.execution_start_time }])
  if (status === 'failed' && errorData(messages) === null && isRecord(job.execution_error))
    messages.push(['execution_error', job.execution_error])
  const priority = (job as { priority?: unknown }).priority
  const entry: ComfyHistoryEntry = {
    prompt: [
      typeof priority === 'number' ? priority : 0,
      job.id,
      workflow.prompt,
      workflow.extra_data,
      undefined,
    ],
    outputs: job.outputs ?? {},
    status: { ...job.execution_status, messages },
    meta: null,
  }
  const classes = options.outputClasses ? new Set(options.outputClasses) : COMFY_OUTPUT_CLASSES
  return runOfEntry(entry, status, meta, classes)
}
