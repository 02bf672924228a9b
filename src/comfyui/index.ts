/*
 * `workflow-execution-state/comfyui`: the ComfyUI adapter. The same `workflowExecution` state, selectors
 * and React hooks as the InvokeAI entry, over ComfyUI's `/ws` socket and REST.
 */

export { createComfyWorkflowExecution } from './createComfyWorkflowExecution'
export type { ComfyWorkflowExecution, ComfyWorkflowExecutionOptions } from './createComfyWorkflowExecution'

// Actions, named as the events they report.
export { promptQueued, promptRejected, frameReceived, previewReceived, queueListed } from './slice/actions'
export type {
  PromptQueuedPayload,
  PromptRejectedPayload,
  PreviewReceivedPayload,
  ListedPrompt,
} from './slice/actions'

// Selectors for the prompt ↔ item mapping.
export { selectItemIdOfPrompt, selectPromptIdOfItem } from './slice/selectors'

// Submitting, reconciling.
export { randomPromptId } from './submit'
export type { SubmitPromptArg, SubmitPromptResult, SubmitPromptThunk } from './submit'
export type { LookupPrompt } from './reconciliation/reconcilePrompt'
export type { PromptLookup } from './rest/fetchPrompt'
export type { ListQueue } from './listeners'

// The socket, for a host that makes its own.
export { createComfySocket } from './socket'
export type {
  ComfySocket,
  ComfySocketEvents,
  ComfySocketOptions,
  ComfySocketRejection,
  WebSocketConstructor,
  WebSocketLike,
} from './socket/types'

// Outputs: what `invocationOutputReceived` carries for a ComfyUI node, and where its images are served.
export { COMFY_OUTPUT_TYPE, comfyOutput, imagesOf, viewUrl } from './model/outputs'
export type { ComfyImageRef, ComfyOutput } from './model/outputs'

// The wire, validated.
export { parseComfyFrame, decodeBinaryFrame, COMFY_FRAME_SCHEMAS } from './wire'
export type { ComfyFrame, ComfyFrameType, BinaryFrame, ParsedComfyFrame } from './wire'
