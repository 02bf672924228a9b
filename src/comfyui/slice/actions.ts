import { createAction, prepareAutoBatched } from '@reduxjs/toolkit'
import { REDUCER_PATH } from '../../features/workflowExecution/slice/state'
import type { ComfyFrame } from '../wire/schemas'

/*
 * The ComfyUI adapter's actions, named as the events they report. They act on the same
 * `workflowExecution` state as InvokeAI's, so every selector and hook serves both.
 */

const PREFIX = `${REDUCER_PATH}/comfyui` as const

/** What the client knows of a prompt before it sends it: its id is chosen here, so no frame precedes it. */
export interface PromptQueuedPayload {
  promptId: string
  /** The surface that queued it (its current run follows it); default `'workflows'`. */
  origin?: string | null
}

/** The server refused the prompt (`POST /prompt` 400): it never runs. */
export interface PromptRejectedPayload {
  promptId: string
  error: { type: string; message: string }
}

/** A latent preview, from a binary frame: type 4 names its prompt and node, type 1 is attributed. */
export interface PreviewReceivedPayload {
  promptId: string
  nodeId: string
  displayNodeId: string | null
  dataURL: string
}

/** A prompt `GET /queue` lists, running or pending. */
export interface ListedPrompt {
  promptId: string
  status: 'in_progress' | 'pending'
}

export const promptQueued = createAction<PromptQueuedPayload, `${typeof PREFIX}/promptQueued`>(
  `${PREFIX}/promptQueued`,
)
export const promptRejected = createAction<PromptRejectedPayload, `${typeof PREFIX}/promptRejected`>(
  `${PREFIX}/promptRejected`,
)
/** One JSON frame of `/ws`, as validated. Progress frames are frequent: auto-batched. */
export const frameReceived = createAction(
  `${PREFIX}/frameReceived` as const,
  prepareAutoBatched<ComfyFrame>(),
)
export const previewReceived = createAction(
  `${PREFIX}/previewReceived` as const,
  prepareAutoBatched<PreviewReceivedPayload>(),
)
/** What runs now and what waits (`GET /queue`), learned on every (re)connect. */
export const queueListed = createAction<{ prompts: ListedPrompt[] }, `${typeof PREFIX}/queueListed`>(
  `${PREFIX}/queueListed`,
)

export const comfyActions = {
  promptQueued,
  promptRejected,
  frameReceived,
  previewReceived,
  queueListed,
} as const
