import type { z } from 'zod'
import type { ItemMeta, PersistedRun } from '../../features/workflowExecution/model/types'
import { HttpStatusError } from '../../features/workflowExecution/reconciliation/httpStatusError'
import { pathTooDeep } from '../../features/workflowExecution/wire/depth'
import { queueStatusOf } from './persisted'
import { persistedRunOfHistoryEntry, persistedRunOfJob, type PersistedRunOfJobOptions } from './persistedRun'
import { historyAnswerSchema, jobSchema, queueSchema, type ComfyQueue } from './schemas'

/*
 * Reading one prompt over ComfyUI's REST API (docs/comfyui.md §4.2, §4.3, §4.5, §4.6): the jobs API where
 * the server has it (v0.6+), else the history and the queue. Nothing is remembered between calls: every
 * answer says which API answered, for the caller to remember.
 */

/** A fetch the host gives (auth, a proxy, a test's fake); the platform's by default. */
export type ComfyFetch = (url: string, init: RequestInit) => Promise<Response>

export interface ComfyRestOptions {
  /** The server's root, e.g. `http://127.0.0.1:8188` (a trailing slash is fine). */
  baseUrl: string
  fetch?: ComfyFetch
  /** Aborts the lookup: it then throws, whatever the fetch rejected with (a listener's reason is a string). */
  signal?: AbortSignal
  headers?: HeadersInit
}

/** Which API answered: `jobs` (`/api/jobs/{id}`) or `history` (`/history/{id}` and `/queue`, before v0.6). */
export type ComfyPromptApi = 'jobs' | 'history'

export interface FetchPersistedPromptOptions extends ComfyRestOptions, PersistedRunOfJobOptions {
  /** What the engine knows of the item besides its status: the run carries it. */
  meta: ItemMeta
  /**
   * Whether the server has the jobs API, when the caller knows (from an earlier answer's `api`): `true`
   * takes a 404 as absent without asking, `false` goes to the history at once. Unset: a 404 is checked with
   * `GET /api/jobs?limit=1`.
   */
  jobsApi?: boolean
}

/** What the server says of one prompt: persisted (it stopped), still queued or running, or held nowhere. */
export type PromptLookup =
  | { kind: 'persisted'; run: PersistedRun }
  | { kind: 'active'; status: 'pending' | 'in_progress' }
  | { kind: 'absent' }

/** A lookup over REST, with the API that answered (`via` for a persisted run), to skip the probe next time. */
export type FetchedPromptLookup = PromptLookup & { api: ComfyPromptApi; via?: ComfyPromptApi }

/** A non-2xx answer the lookup does not expect: an HttpStatusError (its `status`), naming the request. */
export class ComfyHttpError extends HttpStatusError {
  constructor(
    status: number,
    readonly path: string,
  ) {
    super(status)
    this.name = 'ComfyHttpError'
    this.message = `GET ${path} answered HTTP ${status}`
  }
}

const MAX_ISSUES = 5

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Error('aborted', { cause: signal.reason })
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 300)

/** One GET; rejects when the signal aborted, whatever the fetch rejected with. */
async function get(options: ComfyRestOptions, path: string): Promise<Response> {
  const { signal, headers } = options
  throwIfAborted(signal)
  const url = `${options.baseUrl.replace(/\/+$/, '')}${path}`
  const fetcher: ComfyFetch = options.fetch ?? ((input, init) => fetch(input, init))
  const sent = new Headers(headers)
  if (!sent.has('accept')) sent.set('accept', 'application/json')
  let response: Response
  try {
    response = await fetcher(url, { method: 'GET', headers: sent, ...(signal ? { signal } : {}) })
  } catch (error) {
    throwIfAborted(signal)
    throw new Error(`GET ${path} failed: ${describe(error)}`, { cause: error })
  }
  throwIfAborted(signal)
  return response
}

/** The body as JSON, checked against the schema: an Error naming the request and what is wrong, else. */
async function bodyOf<S extends z.ZodType>(
  options: ComfyRestOptions,
  response: Response,
  path: string,
  schema: S,
): Promise<z.infer<S>> {
  let text: string
  try {
    text = await response.text()
  } catch (error) {
    throwIfAborted(options.signal)
    throw new Error(`GET ${path}: the body could not be read: ${describe(error)}`, { cause: error })
  }
  throwIfAborted(options.signal)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new Error(`GET ${path} answered invalid JSON: ${describe(error)}`, { cause: error })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, MAX_ISSUES)
      .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message.slice(0, 200)}`)
    throw new Error(`GET ${path} answered an unexpected body: ${issues.join('; ')}`)
  }
  return parsed.data
}

/** Outputs go into the store: nested past MAX_PAYLOAD_DEPTH, they are refused as the socket's are. */
function checkOutputsDepth(path: string, outputs: unknown): void {
  const tooDeep = pathTooDeep(outputs)
  if (tooDeep !== null) throw new Error(`GET ${path} answered outputs nested too deep at outputs.${tooDeep}`)
}

/** `GET /api/jobs?limit=1`: 404 on a server older than v0.6, which has no jobs API. */
async function hasJobsApi(options: ComfyRestOptions): Promise<boolean> {
  const path = '/api/jobs?limit=1'
  const response = await get(options, path)
  if (response.ok) return true
  if (response.status === 404) return false
  throw new ComfyHttpError(response.status, path)
}

/**
 * Where one prompt stands, by what the server persisted or holds.
 *
 * - `GET /api/jobs/{id}`: a terminal job is the persisted run (via `jobs`), a pending or running one is
 *   active; a 404 means the prompt is nowhere (the jobs API looks in history, the running and the pending
 *   prompts), unless the server has no jobs API (`GET /api/jobs?limit=1` is 404 too, older than v0.6).
 * - Without the jobs API: `GET /history/{id}` (an entry is terminal; `{}` when it has none), then
 *   `GET /queue` (running or pending), then the history once more when the queue does not hold it either,
 *   so that a prompt finishing between the two reads (history is written as it leaves the queue, under
 *   one lock) is found rather than taken as absent.
 *
 * Absent is one observation, not proof that the prompt vanished (§4.6): the caller decides when to
 * conclude. Throws on a non-2xx answer not listed here (a ComfyHttpError), on a body that is not JSON or
 * not of the expected shape (an Error naming the issues), on a failed fetch, and when the signal aborts.
 */
export async function fetchPersistedPrompt(
  promptId: string,
  options: FetchPersistedPromptOptions,
): Promise<FetchedPromptLookup> {
  const id = encodeURIComponent(promptId)
  if (options.jobsApi !== false) {
    const path = `/api/jobs/${id}`
    const response = await get(options, path)
    if (response.ok) {
      const job = await bodyOf(options, response, path, jobSchema)
      if (job.id !== promptId) throw new Error(`GET ${path} answered job ${job.id}`)
      checkOutputsDepth(path, job.outputs)
      const run = persistedRunOfJob(job, options.meta, options)
      if (run !== null) return { kind: 'persisted', run, via: 'jobs', api: 'jobs' }
      return { kind: 'active', status: job.status === 'pending' ? 'pending' : 'in_progress', api: 'jobs' }
    }
    if (response.status !== 404) throw new ComfyHttpError(response.status, path)
    if (options.jobsApi === true || (await hasJobsApi(options))) return { kind: 'absent', api: 'jobs' }
  }

  const fromHistory = async (): Promise<FetchedPromptLookup | null> => {
    const path = `/history/${id}`
    const response = await get(options, path)
    if (!response.ok) throw new ComfyHttpError(response.status, path)
    const answer = await bodyOf(options, response, path, historyAnswerSchema)
    const entry = Object.hasOwn(answer, promptId) ? answer[promptId] : undefined
    if (entry === undefined) return null
    checkOutputsDepth(path, entry.outputs)
    const run = persistedRunOfHistoryEntry(promptId, entry, options.meta)
    return { kind: 'persisted', run, via: 'history', api: 'history' }
  }
  const persisted = await fromHistory()
  if (persisted !== null) return persisted
  const status = queueStatusOf(await fetchQueueAnswer(options), promptId)
  if (status !== null) return { kind: 'active', status, api: 'history' }
  return (await fromHistory()) ?? { kind: 'absent', api: 'history' }
}

/** One prompt of `GET /queue`. */
export interface ComfyQueueEntry {
  promptId: string
  /** Its priority: lower runs first. */
  number: number
  /** `extra_data.client_id`: the socket the server sends its frames to; null for an anonymous prompt. */
  clientId: string | null
  /** The API-format prompt as queued; null when it is not an object. */
  prompt: Readonly<Record<string, unknown>> | null
  outputsToExecute: string[]
}

export interface ComfyQueueSnapshot {
  running: ComfyQueueEntry[]
  /** In the order they will run: by number (the server sends its heap as is). */
  pending: ComfyQueueEntry[]
}

async function fetchQueueAnswer(options: ComfyRestOptions): Promise<ComfyQueue> {
  const path = '/queue'
  const response = await get(options, path)
  if (!response.ok) throw new ComfyHttpError(response.status, path)
  return bodyOf(options, response, path, queueSchema)
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function queueEntryOf(tuple: ComfyQueue['queue_running'][number]): ComfyQueueEntry {
  const [number, promptId, prompt, extraData, outputs] = tuple
  const clientId = isRecord(extraData) ? extraData.client_id : undefined
  return {
    promptId,
    number,
    clientId: typeof clientId === 'string' && clientId !== '' ? clientId : null,
    prompt: isRecord(prompt) ? prompt : null,
    outputsToExecute: Array.isArray(outputs)
      ? (outputs as unknown[]).filter((id): id is string => typeof id === 'string')
      : [],
  }
}

const byNumber = (a: ComfyQueueEntry, b: ComfyQueueEntry) =>
  a.number - b.number || (a.promptId < b.promptId ? -1 : a.promptId > b.promptId ? 1 : 0)

/** `GET /queue`, validated: the running prompts and the pending ones sorted by number (then by id). */
export async function fetchComfyQueue(options: ComfyRestOptions): Promise<ComfyQueueSnapshot> {
  const queue = await fetchQueueAnswer(options)
  return {
    running: queue.queue_running.map(queueEntryOf).sort(byNumber),
    pending: queue.queue_pending.map(queueEntryOf).sort(byNumber),
  }
}
