import type { ComfyHistoryEntry, ComfyJob, ComfyQueue } from './schemas'

/** Where a prompt stands by what the server persisted or holds, in the engine's words. */
export type PersistedPromptStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'canceled'

/**
 * A history entry's outcome. `status_str` is only success or error: an interrupt persists as error, and
 * is told apart by its `execution_interrupted` message. An entry without a status counts as completed,
 * as the server's own jobs API counts it.
 */
export function statusOfHistoryEntry(entry: ComfyHistoryEntry): PersistedPromptStatus {
  const status = entry.status
  if (!status?.status_str) return 'completed'
  if (status.status_str === 'success') return 'completed'
  const interrupted = (status.messages ?? []).some(([type]) => type === 'execution_interrupted')
  return interrupted ? 'canceled' : 'failed'
}

/** A job's status, with the jobs API's `cancelled` spelled as the engine spells it. */
export const statusOfJob = (job: ComfyJob): PersistedPromptStatus =>
  job.status === 'cancelled' ? 'canceled' : job.status

/** Whether the queue runs or holds the prompt: a prompt in neither, and not in history, may have vanished. */
export function queueStatusOf(queue: ComfyQueue, promptId: string): 'in_progress' | 'pending' | null {
  if (queue.queue_running.some((item) => item[1] === promptId)) return 'in_progress'
  if (queue.queue_pending.some((item) => item[1] === promptId)) return 'pending'
  return null
}
