import type { z } from 'zod'
import {
  createFetchQueueSnapshot,
  HttpStatusError,
  type FetchQueueItem,
  type FetchQueueSnapshot,
} from '../../../src'
import type { DeliveryOptions, ScenarioInfo, SimulatorUser } from '../../../sim/types'
import {
  deliveryOptionsSchema,
  describeIssues,
  enqueueResultSchema,
  queueStatusResponseSchema,
  scenarioListSchema,
} from './schemas'
import { itemGraphOf, type ItemGraph } from '../graph/itemGraph'
import type { ServerTarget } from './target'

/** An error answer of the server, reduced to text the page can show as-is. */
export class ServerError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
  ) {
    super(message)
    this.name = 'ServerError'
  }
}

// The simulator's control API speaks the simulator's own types: one declaration, checked on both sides.
export type { ChaosOptions, DeliveryOptions, ScenarioInfo, SimulatorUser } from '../../../sim/types'

export interface EnqueueResult {
  item_ids: number[]
}

/** `GET …/status`: the counts the server keeps (InvokeAI's SessionQueueStatus). */
export interface QueueStatusCounts {
  pending: number
  in_progress: number
  completed: number
  failed: number
  canceled: number
  total: number
}

const MAX_ERROR_CHARS = 300

/** FastAPI answers `{detail: string | issue[]}`; anything else is shown as the start of the body. */
async function errorText(response: Response): Promise<string> {
  const body = await response.text().catch(() => '')
  const detail = (() => {
    try {
      const parsed = JSON.parse(body) as { detail?: unknown }
      return typeof parsed.detail === 'string' ? parsed.detail : JSON.stringify(parsed.detail ?? parsed)
    } catch {
      return body
    }
  })()
  return `HTTP ${response.status}: ${detail.slice(0, MAX_ERROR_CHARS) || response.statusText}`
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isSimulatorUser = (value: unknown): value is SimulatorUser =>
  isObject(value) &&
  typeof value.userId === 'string' &&
  (value.token === null || typeof value.token === 'string')

/**
 * The REST calls the page makes: InvokeAI's queue endpoints and the simulator's control API. The token is
 * read on every call: a user switch changes it for the requests that follow.
 */
export function createServerApi(
  target: ServerTarget,
  queueId = 'default',
  token: () => string | null = () => target.token,
) {
  const queue = `${target.baseUrl}/api/v1/queue/${encodeURIComponent(queueId)}`
  const headers = (json: boolean): Record<string, string> => ({
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(token() ? { authorization: `Bearer ${token()}` } : {}),
  })

  async function call(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    try {
      return await fetch(url, {
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
  }

  async function json<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await call(method, url, body, signal)
    if (!response.ok) throw new ServerError(response.status, await errorText(response))
    return (await response.json()) as T
  }

  /** A JSON answer checked against `schema`: another shape is a ServerError naming the call and the issue. */
  async function parsed<S extends z.ZodType>(
    schema: S,
    method: string,
    url: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<z.infer<S>> {
    const answer = schema.safeParse(await json<unknown>(method, url, body, signal))
    if (!answer.success) {
      throw new ServerError(200, `${method} ${url}: unexpected answer: ${describeIssues(answer.error)}`)
    }
    return answer.data
  }

  /** The engine's reconciliation fetch, through this client: same base path, same token. */
  const fetchQueueItem: FetchQueueItem = async ({ queueId: queue_id, itemId, signal }) => {
    const url = `${target.baseUrl}/api/v1/queue/${encodeURIComponent(queue_id)}/i/${itemId}`
    const response = await fetch(url, { headers: headers(false), signal })
    if (response.status === 404) return null
    if (!response.ok) throw new HttpStatusError(response.status)
    return (await response.json()) as unknown
  }

  /** The engine's hydration fetch, with the token of the moment (the engine's `headers` option is fixed). */
  const fetchQueueSnapshot: FetchQueueSnapshot = (request) =>
    createFetchQueueSnapshot(target.baseUrl, headers(false))(request)

  return {
    fetchQueueItem,
    fetchQueueSnapshot,
    /** The simulator's scenarios; throws on a server that is not the simulator. */
    async scenarios(signal?: AbortSignal): Promise<ScenarioInfo[]> {
      const list = scenarioListSchema.safeParse(
        await json<unknown>('GET', `${target.baseUrl}/sim/scenarios`, undefined, signal),
      )
      if (!list.success) throw new ServerError(200, 'not a simulator: /sim/scenarios is not a scenario list')
      return list.data
    },
    enqueueScenario: (scenario: string, runs: number): Promise<EnqueueResult> =>
      parsed(enqueueResultSchema, 'POST', `${target.baseUrl}/sim/enqueue`, { scenario, runs }),
    // An older simulator leaves cancelRaceCompletes out: the delivery form then leaves it out too.
    getDelivery: (signal?: AbortSignal) =>
      parsed(
        deliveryOptionsSchema,
        'GET',
        `${target.baseUrl}/sim/delivery`,
        undefined,
        signal,
      ) as Promise<DeliveryOptions>,
    setDelivery: (options: DeliveryOptions) =>
      parsed(
        deliveryOptionsSchema,
        'POST',
        `${target.baseUrl}/sim/delivery`,
        options,
      ) as Promise<DeliveryOptions>,
    disconnect: () => json<unknown>('POST', `${target.baseUrl}/sim/disconnect`),
    /** A restart with a wiped database: ids start again from 1 (the simulator's `POST /sim/restart`). */
    restart: (downtimeMs: number) => json<unknown>('POST', `${target.baseUrl}/sim/restart`, { downtimeMs }),
    /** The simulator's users and their tokens, for the user switch. */
    async users(signal?: AbortSignal): Promise<SimulatorUser[]> {
      const list = await json<unknown>('GET', `${target.baseUrl}/sim/users`, undefined, signal)
      if (!Array.isArray(list) || !list.every(isSimulatorUser)) {
        throw new ServerError(200, 'GET /sim/users is not a user list')
      }
      return list
    },
    cancel: (itemId: number) => json<unknown>('PUT', `${queue}/i/${itemId}/cancel`),
    async queueStatus(signal?: AbortSignal): Promise<QueueStatusCounts> {
      return (await parsed(queueStatusResponseSchema, 'GET', `${queue}/status`, undefined, signal)).queue
    },
    /** The item's workflow graph; null when the answer has none of the expected shape. */
    async itemGraph(itemId: number, signal?: AbortSignal): Promise<ItemGraph | null> {
      return itemGraphOf(await json<unknown>('GET', `${queue}/i/${itemId}`, undefined, signal))
    },
    imageUrl: (imageName: string) =>
      `${target.baseUrl}/api/v1/images/i/${encodeURIComponent(imageName)}/full`,
    thumbnailUrl: (imageName: string) =>
      `${target.baseUrl}/api/v1/images/i/${encodeURIComponent(imageName)}/thumbnail`,
  }
}

export type ServerApi = ReturnType<typeof createServerApi>
