import type { ComfyFrame, PromptLookup } from '../../src/comfyui'
import { comfyOutput } from '../../src/comfyui'

/*
 * ComfyUI frames as objects, in the shapes of docs/comfyui.md §2 (every field the core server writes,
 * Python None as null), as test/helpers/comfyWire.ts builds them as text. Kept here so the bench depends on
 * nothing but the package's public API (`workflow-execution-state/comfyui`).
 */

/** A prompt id shaped as the uuid4 a client chooses, distinct per `n`. */
export const promptIdOf = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`

/** Node ids as the API-format prompt keys them: "1", "2", … */
export const comfyNodeIdOf = (node: number): string => String(node + 1)

const TIMESTAMP = 1_756_000_000_000

type FrameOf<T extends ComfyFrame['type']> = Extract<ComfyFrame, { type: T }>
type NodeProgress = FrameOf<'progress_state'>['data']['nodes'][string]

export const comfyWire = {
  executionStart: (promptId: string): ComfyFrame => ({
    type: 'execution_start',
    data: { prompt_id: promptId, timestamp: TIMESTAMP },
  }),
  executing: (promptId: string, node: string): ComfyFrame => ({
    type: 'executing',
    data: { node, display_node: node, prompt_id: promptId },
  }),
  progress: (promptId: string, node: string, value: number, max: number): ComfyFrame => ({
    type: 'progress',
    data: { value, max, prompt_id: promptId, node },
  }),
  /** One node's entry of a `progress_state` map, every field as `progress.py` writes it. */
  nodeProgress: (
    promptId: string,
    node: string,
    state: 'running' | 'finished',
    value: number,
    max: number,
  ): NodeProgress => ({
    value,
    max,
    state,
    node_id: node,
    prompt_id: promptId,
    display_node_id: node,
    parent_node_id: null,
    real_node_id: node,
  }),
  progressState: (promptId: string, nodes: Record<string, NodeProgress>): ComfyFrame => ({
    type: 'progress_state',
    data: { prompt_id: promptId, nodes },
  }),
  executed: (promptId: string, node: string, filename: string): ComfyFrame => ({
    type: 'executed',
    data: {
      node,
      display_node: node,
      prompt_id: promptId,
      output: { images: [{ filename, subfolder: '', type: 'output' }] },
    },
  }),
  executionSuccess: (promptId: string): ComfyFrame => ({
    type: 'execution_success',
    data: { prompt_id: promptId, timestamp: TIMESTAMP + 9_000 },
  }),
}

/**
 * A copy of the frame as the socket's `JSON.parse` delivers it. Not only fresh objects: V8 lays out a
 * literal `{ "1000": … }` (an index key) as a holey array of 1,001 slots that every walk of the map scans,
 * where the parser makes a sparse one. ComfyUI's node ids are such keys, so the frames are always parsed.
 */
export const fromTheSocket = (frame: ComfyFrame): ComfyFrame =>
  JSON.parse(JSON.stringify(frame)) as ComfyFrame

/**
 * What `GET /history/{id}` answers, once parsed, for a prompt whose one node `node` completed with the
 * image `filename` (what a reconciliation applies after the stream's own frames said the same).
 */
export function completedLookup(
  meta: Extract<PromptLookup, { kind: 'persisted' }>['run']['meta'],
  node: string,
  filename: string,
): PromptLookup {
  return {
    kind: 'persisted',
    run: {
      status: 'completed',
      statusSequence: null,
      startedAt: new Date(TIMESTAMP).toISOString(),
      error: null,
      meta,
      copies: [
        {
          preparedId: node,
          sourceNodeId: node,
          outcome: 'completed',
          output: comfyOutput({ images: [{ filename, subfolder: '', type: 'output' }] }),
        },
      ],
      executionOrder: [node],
      nodeIds: [node],
    },
  }
}
