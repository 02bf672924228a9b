// The jobs API (`/api/jobs`, docs/comfyui.md §4.5): history, the running prompt and the pending ones
// as one list of jobs, with the status derived the server's way (an interrupt is `cancelled`).
import { SimulatorError } from '../errors'
import type { History } from './history'
import type { QueueItem } from './queue'
import type { HistoryEntry, JobStatus, JsonObject } from './types'

export const JOB_STATUSES: readonly JobStatus[] = [
  'pending',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
]

const TERMINAL_MESSAGES = ['execution_success', 'execution_error', 'execution_interrupted']

export interface JobSources {
  history: History
  running(): { item: QueueItem; startedAt: number } | null
  pending(): readonly QueueItem[]
}

/** Without the fields that are null or undefined, as the server prunes a job. */
const pruned = (job: JsonObject): JsonObject =>
  Object.fromEntries(Object.entries(job).filter(([, value]) => value !== null && value !== undefined))

const workflowIdOf = (item: { extraData: JsonObject }) => {
  const info = item.extraData['extra_pnginfo'] as { workflow?: { id?: unknown } } | undefined
  return typeof info?.workflow?.id === 'string' ? info.workflow.id : undefined
}

export function statusOfEntry(entry: HistoryEntry): JobStatus {
  if (entry.status.status_str === 'success') return 'completed'
  return entry.status.messages.some(([type]) => type === 'execution_interrupted') ? 'cancelled' : 'failed'
}

interface JobRecord {
  job: JsonObject
  /** What the detail adds: outputs, execution_status, workflow. */
  detail: JsonObject
}

function fromHistory(promptId: string, entry: HistoryEntry): JobRecord {
  const [number, , prompt, extraData] = entry.prompt
  const messages = entry.status.messages
  const status = statusOfEntry(entry)
  const timestampOf = (data: JsonObject | undefined) => data?.['timestamp'] as number | undefined
  const start = messages.find(([type]) => type === 'execution_start')?.[1]
  const end = [...messages].reverse().find(([type]) => TERMINAL_MESSAGES.includes(type))?.[1]
  const error = status === 'failed' ? messages.find(([type]) => type === 'execution_error')?.[1] : undefined
  const images = Object.values(entry.outputs).flatMap((output) => output.images)
  return {
    job: pruned({
      id: promptId,
      status,
      priority: number,
      create_time: extraData.create_time,
      execution_start_time: timestampOf(start),
      execution_end_time: timestampOf(end),
      execution_error: error,
      outputs_count: images.length,
      previewable_outputs_count: images.length,
      workflow_id: workflowIdOf({ extraData }),
    }),
    detail: {
      outputs: entry.outputs,
      execution_status: entry.status,
      workflow: { prompt, extra_data: extraData },
    },
  }
}

function fromQueue(item: QueueItem, status: 'pending' | 'in_progress', startedAt?: number): JobRecord {
  return {
    job: pruned({
      id: item.promptId,
      status,
      priority: item.number,
      create_time: item.extraData.create_time,
      execution_start_time: startedAt,
      workflow_id: workflowIdOf(item),
    }),
    detail: { outputs: {}, workflow: { prompt: item.prompt, extra_data: item.extraData } },
  }
}

/** `GET /api/jobs/{id}`: history first, then the running prompt, then the pending ones; else undefined. */
export function jobDetail(sources: JobSources, promptId: string): JsonObject | undefined {
  const entry = sources.history.get(promptId)
  const running = sources.running()
  const pending = sources.pending().find((item) => item.promptId === promptId)
  const record = entry
    ? fromHistory(promptId, entry)
    : running?.item.promptId === promptId
      ? fromQueue(running.item, 'in_progress', running.startedAt)
      : pending
        ? fromQueue(pending, 'pending')
        : undefined
  return record ? { ...record.job, ...record.detail } : undefined
}

const integerParam = (query: URLSearchParams, name: string, min: number): number | null => {
  const raw = query.get(name)
  if (raw === null || raw === '') return null
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < min)
    throw new SimulatorError(400, `${name} must be an integer ≥ ${min}`)
  return value
}

/** `GET /api/jobs?status=&workflow_id=&sort_by=&sort_order=&limit=&offset=`. */
export function listJobs(sources: JobSources, query: URLSearchParams): JsonObject {
  const statuses = query.get('status')?.split(',').filter(Boolean) ?? []
  const unknown = statuses.find((status) => !JOB_STATUSES.includes(status as JobStatus))
  if (unknown !== undefined) throw new SimulatorError(400, `unknown status ${unknown}`)
  const sortBy = query.get('sort_by') ?? 'created_at'
  if (sortBy !== 'created_at' && sortBy !== 'execution_duration') {
    throw new SimulatorError(400, 'sort_by must be created_at or execution_duration')
  }
  const sortOrder = query.get('sort_order') ?? 'desc'
  if (sortOrder !== 'asc' && sortOrder !== 'desc')
    throw new SimulatorError(400, 'sort_order must be asc or desc')
  const limit = integerParam(query, 'limit', 1)
  const offset = integerParam(query, 'offset', 0) ?? 0
  const workflowId = query.get('workflow_id')

  const running = sources.running()
  const jobs = [
    ...sources.history.all().map(([id, entry]) => fromHistory(id, entry).job),
    ...(running ? [fromQueue(running.item, 'in_progress', running.startedAt).job] : []),
    ...sources.pending().map((item) => fromQueue(item, 'pending').job),
  ].filter(
    (job) =>
      (statuses.length === 0 || statuses.includes(job['status'] as string)) &&
      (workflowId === null || job['workflow_id'] === workflowId),
  )
  const keyOf = (job: JsonObject) =>
    sortBy === 'created_at'
      ? ((job['create_time'] as number | undefined) ?? 0)
      : ((job['execution_end_time'] as number | undefined) ?? 0) -
        ((job['execution_start_time'] as number | undefined) ?? 0)
  const direction = sortOrder === 'asc' ? 1 : -1
  const sorted = jobs.sort((a, b) => (keyOf(a) - keyOf(b)) * direction)
  const page = sorted.slice(offset, limit === null ? undefined : offset + limit)
  return {
    jobs: page,
    pagination: { offset, limit, total: sorted.length, has_more: offset + page.length < sorted.length },
  }
}
