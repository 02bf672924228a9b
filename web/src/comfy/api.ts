import { z } from 'zod'
import { ServerError } from '../session/api'
import { describeIssues } from '../session/schemas'
import type { ServerTarget } from '../session/target'

/*
 * The REST calls the ComfyUI page makes besides the engine's own (`POST /prompt` and the look-ups of
 * reconciliation): the queue, a prompt's workflow for its graph, interrupting and deleting, and the
 * controls `npm start -- --protocol comfyui` puts in front of the simulator. Answers are checked with zod:
 * another shape is a ServerError shown as text.
 */

/** The simulator's delivery modes (sim/comfyui's ComfyDeliveryOptions), as `GET /sim/delivery` answers. */
export interface ComfyDelivery {
  historyLag: number
  dropAfterStart: number | null
  cachedNodes: boolean
  blockedNode: string | null
  chaosDrop: number
  chaosSeed: number
}

const deliverySchema = z.looseObject({
  historyLag: z.number(),
  dropAfterStart: z.number().nullable(),
  cachedNodes: z.boolean(),
  blockedNode: z.string().nullable(),
  chaosDrop: z.number(),
  chaosSeed: z.number(),
})

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`: only the id and the prompt are read. */
const queueTupleSchema = z.array(z.unknown()).refine((tuple) => typeof tuple[1] === 'string', 'no prompt id')

const queueSchema = z.looseObject({
  queue_running: z.array(queueTupleSchema),
  queue_pending: z.array(queueTupleSchema),
})

export interface ListedPrompt {
  promptId: string
  prompt: unknown
}

export interface ServerQueue {
  running: ListedPrompt[]
  pending: ListedPrompt[]
}

const MAX_ERROR_CHARS = 300

async function errorText(response: Response): Promise<string> {
  const body = await response.text().catch(() => '')
  const detail = (() => {
    try {
      const parsed = JSON.parse(body) as { detail?: unknown; error?: { message?: unknown } }
      if (typeof parsed.detail === 'string') return parsed.detail
      if (typeof parsed.error?.message === 'string') return parsed.error.message
      return body
    } catch {
      return body
    }
  })()
  return `HTTP ${response.status}: ${detail.slice(0, MAX_ERROR_CHARS) || response.statusText}`
}

const listed = (tuple: unknown[]): ListedPrompt => ({ promptId: tuple[1] as string, prompt: tuple[2] })

export function createComfyApi(target: ServerTarget) {
  const base = target.baseUrl
  const headers = (json: boolean): Record<string, string> => ({
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
  })

  async function json(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const url = `${base}${path}`
    let response: Response
    try {
      response = await fetch(url, {
        method,
        headers: headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      })
    } catch (error) {
      if (signal?.aborted) throw error
      throw new ServerError(
        null,
        `${method} ${url} failed: ${error instanceof Error ? error.message : error}`,
      )
    }
    if (!response.ok) throw new ServerError(response.status, await errorText(response))
    return (await response.json()) as unknown
  }

  async function parsed<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    const answer = schema.safeParse(await json(method, path, body, signal))
    if (!answer.success)
      throw new ServerError(200, `${method} ${path}: unexpected answer: ${describeIssues(answer.error)}`)
    return answer.data
  }

  const queue = async (signal?: AbortSignal): Promise<ServerQueue> => {
    const answer = await parsed(queueSchema, 'GET', '/queue', undefined, signal)
    return { running: answer.queue_running.map(listed), pending: answer.queue_pending.map(listed) }
  }

  return {
    queue,
    /**
     * The API prompt the server holds for a prompt id (one another client or an earlier page load sent):
     * from its history entry, else from the queue; null when the server has neither.
     */
    async promptOf(promptId: string, signal?: AbortSignal): Promise<unknown> {
      const history = await json('GET', `/history/${encodeURIComponent(promptId)}`, undefined, signal)
      const entry = (history as Record<string, { prompt?: unknown } | undefined> | null)?.[promptId]
      if (Array.isArray(entry?.prompt)) return (entry.prompt as unknown[])[2] ?? null
      const { running, pending } = await queue(signal)
      return [...running, ...pending].find((item) => item.promptId === promptId)?.prompt ?? null
    },
    /** Stops the running prompt (it ends `execution_interrupted`); a prompt that does not run is left. */
    interrupt: (promptId: string) => json('POST', '/interrupt', { prompt_id: promptId }),
    /** Removes a pending prompt: ComfyUI sends no event for it, the engine learns it by asking. */
    deletePending: (promptId: string) => json('POST', '/queue', { delete: [promptId] }),
    getDelivery: (signal?: AbortSignal): Promise<ComfyDelivery> =>
      parsed(deliverySchema, 'GET', '/sim/delivery', undefined, signal),
    setDelivery: (delivery: ComfyDelivery): Promise<ComfyDelivery> =>
      parsed(deliverySchema, 'POST', '/sim/delivery', delivery),
    disconnect: () => json('POST', '/sim/disconnect'),
  }
}

export type ComfyApi = ReturnType<typeof createComfyApi>
