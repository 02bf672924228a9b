import type {
  ItemMeta,
  ModelEvent,
  NodeError,
  ProgressStateEntry,
} from '../../features/workflowExecution/model/types'
import { comfyOutput } from '../model/outputs'
import type { ComfyFrame } from '../wire/schemas'

/*
 * ComfyUI's frames as the model's events: an item per prompt, a copy per node id the server runs (an
 * ephemeral or subgraph id included), attributed to the node the editor shows (`display_node`).
 */

/** What a prompt says of itself: ComfyUI has no queue, batch or user on its frames. */
export function promptMeta(promptId: string, origin: string | null = 'workflows'): ItemMeta {
  return { queueId: 'default', origin, destination: null, batchId: null, sessionId: promptId, userId: null }
}

/** A persisted message's time (ms since the epoch) as the start time the model orders runs by. */
export const startedAtOf = (timestamp: number | null | undefined): string | null =>
  typeof timestamp === 'number' ? new Date(timestamp).toISOString() : null

/** The prompt a frame is about; null for one that names none (the status frame, the reconnect replay). */
export function promptOfFrame(frame: ComfyFrame): string | null {
  if (frame.type === 'status') return null
  return frame.data.prompt_id ?? null
}

function invocation(
  phase: Extract<ModelEvent, { kind: 'invocation' }>['phase'],
  meta: ItemMeta,
  preparedId: string,
  sourceNodeId: string,
): Extract<ModelEvent, { kind: 'invocation' }> {
  return { kind: 'invocation', phase, preparedId, sourceNodeId, meta, redacted: false }
}

function status(
  value: 'in_progress' | 'completed' | 'failed' | 'canceled',
  meta: ItemMeta,
  startedAt: string | null = null,
  error: NodeError | null = null,
): ModelEvent {
  return { kind: 'status', status: value, statusSequence: null, startedAt, error, meta, redacted: false }
}

/** The frontend's class of non-terminal error: the prompt goes on (docs/comfyui.md §3.3, race 5). */
export const EXECUTION_BLOCKED = 'ExecutionBlocked'

/** The model events one frame of a known prompt makes, in order; none for a frame that changes no state. */
export function eventsOfFrame(frame: ComfyFrame, meta: ItemMeta): ModelEvent[] {
  switch (frame.type) {
    case 'status':
      return []
    case 'execution_start':
      return [status('in_progress', meta, startedAtOf(frame.data.timestamp))]
    case 'execution_cached':
      return frame.data.nodes.map((node) => invocation('cached', meta, node, node))
    case 'executing': {
      const { node, display_node: display } = frame.data
      // `node: null` ends the prompt (the listener reconciles); without a prompt id it is a replay.
      return node === null ? [] : [invocation('started', meta, node, display ?? node)]
    }
    case 'progress': {
      const { node, value, max } = frame.data
      if (!node) return []
      return [
        { ...invocation('progress', meta, node, node), percentage: Math.min(1, value / max), image: null },
      ]
    }
    case 'progress_state': {
      const nodes: ProgressStateEntry[] = []
      for (const [key, entry] of Object.entries(frame.data.nodes)) {
        // A node's failure is known from execution_error alone; pending nodes are not sent by core.
        if (entry.state !== 'running' && entry.state !== 'finished') continue
        const preparedId = entry.node_id || key
        nodes.push({
          preparedId,
          sourceNodeId: entry.display_node_id ?? preparedId,
          state: entry.state,
          percentage: entry.state === 'finished' ? 1 : Math.min(1, entry.value / entry.max),
        })
      }
      return [{ kind: 'progress_state', meta, redacted: false, nodes }]
    }
    case 'executed': {
      const { node, display_node: display, output } = frame.data
      const event = invocation('complete', meta, node, display ?? node)
      return [output === null ? event : { ...event, output: comfyOutput(output) }]
    }
    case 'execution_success':
      return [status('completed', meta)]
    case 'execution_error': {
      const { data } = frame
      const error: NodeError = {
        error_type: data.exception_type,
        error_message: data.exception_message,
        error_traceback: data.traceback?.join('') || null,
      }
      const node = data.node_id
      if (data.exception_type === EXECUTION_BLOCKED)
        return node ? [{ ...invocation('blocked', meta, node, node), error }] : []
      const nodeEvent: ModelEvent[] = node ? [{ ...invocation('error', meta, node, node), error }] : []
      return [...nodeEvent, status('failed', meta, null, error)]
    }
    case 'execution_interrupted':
      return [status('canceled', meta)]
  }
}
