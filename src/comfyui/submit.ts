import { createAsyncThunk } from '@reduxjs/toolkit'
import { REDUCER_PATH, type WorkflowExecutionState } from '../features/workflowExecution/slice/state'
import { promptQueued, promptRejected } from './slice/actions'

/** A canonical lowercase UUID (what ComfyUI requires of a client-chosen `prompt_id`), also off secure contexts. */
export function randomPromptId(): string {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export interface SubmitPromptArg {
  /** The API-format prompt: `{ [nodeId]: { class_type, inputs } }`. */
  prompt: Record<string, unknown>
  /** Sent as `extra_data` (e.g. `extra_pnginfo.workflow`). */
  extraData?: Record<string, unknown>
  /** Run before the queue's other prompts (`front: true`). */
  front?: boolean
  /** The surface that queued it; default `'workflows'`. */
  origin?: string
  /** Default: a new random UUID. */
  promptId?: string
}

/** What the server answered: the prompt runs, it was refused (never will), or no answer came (`unanswered`). */
export type SubmitPromptResult =
  | { accepted: true; promptId: string; number: number | null; nodeErrors: unknown }
  | { accepted: false; promptId: string; error: { type: string; message: string } }

export interface SubmitServices {
  baseUrl: string
  clientId: string
  fetch: typeof fetch
  headers?: Record<string, string>
}

export const SUBMIT_PROMPT = `${REDUCER_PATH}/comfyui/submitPrompt` as const

/**
 * Queues a prompt the ComfyUI way, with its id chosen here: the item exists (pending) before the request
 * goes out, so no frame can precede it. A refusal (400) fails it at once; a request that got no answer
 * leaves it to reconciliation, which asks the server whether it holds it.
 */
export function createSubmitPrompt(services: SubmitServices) {
  return createAsyncThunk<
    SubmitPromptResult,
    SubmitPromptArg,
    { state: { workflowExecution: WorkflowExecutionState } }
  >(SUBMIT_PROMPT, async (arg, api) => {
    const promptId = arg.promptId ?? randomPromptId()
    api.dispatch(promptQueued({ promptId, origin: arg.origin ?? 'workflows' }))
    let response: Response
    try {
      response = await services.fetch(`${services.baseUrl.replace(/\/+$/, '')}/prompt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...services.headers },
        body: JSON.stringify({
          prompt: arg.prompt,
          client_id: services.clientId,
          prompt_id: promptId,
          ...(arg.extraData ? { extra_data: arg.extraData } : {}),
          ...(arg.front ? { front: true } : {}),
        }),
      })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return { accepted: false, promptId, error: { type: 'unanswered', message } }
    }
    const body = (await response.json().catch(() => null)) as Record<string, unknown> | null
    if (response.ok)
      return {
        accepted: true,
        promptId,
        number: typeof body?.number === 'number' ? body.number : null,
        nodeErrors: body?.node_errors ?? null,
      }
    const said = (body?.error ?? {}) as { type?: unknown; message?: unknown }
    const error = {
      type: typeof said.type === 'string' ? said.type : `http_${response.status}`,
      message: typeof said.message === 'string' ? said.message : `POST /prompt answered ${response.status}`,
    }
    // 4xx: refused, it will never run. 5xx: the server may hold it; reconciliation will tell.
    if (response.status >= 400 && response.status < 500) api.dispatch(promptRejected({ promptId, error }))
    return { accepted: false, promptId, error }
  })
}

export type SubmitPromptThunk = ReturnType<typeof createSubmitPrompt>
