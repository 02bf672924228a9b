/**
 * An item's queue status, as the model speaks of it: InvokeAI's statuses as on its wire (lowercase,
 * `waiting` since 6.14); ComfyUI's map onto them (`cancelled` → `canceled`).
 */
export const QUEUE_STATUSES = [
  'pending',
  'in_progress',
  'waiting',
  'completed',
  'failed',
  'canceled',
] as const
export const TERMINAL_QUEUE_STATUSES = ['completed', 'failed', 'canceled'] as const

export type QueueStatus = (typeof QUEUE_STATUSES)[number]
export type TerminalQueueStatus = (typeof TERMINAL_QUEUE_STATUSES)[number]
