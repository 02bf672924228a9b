import { HttpStatusError, type FetchQueueItem } from '../../../src'
import type { DeliveryOptions, ScenarioInfo } from '../../../sim/types'
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
export type { ChaosOptions, DeliveryOptions, ScenarioInfo } from '../../../sim/types'

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

export interface GraphNodeInfo {
  id: string
  type: string
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

function graphNodesOf(queueItem: unknown): GraphNodeInfo[] {
  const session = isObject(queueItem) ? queueItem.session : undefined
  const graph = isObject(session) ? session.graph : undefined
  const nodes = isObject(graph) ? graph.nodes : undefined
  if (!isObject(nodes)) return []
  return Object.entries(nodes).map(([id, node]) => ({
    id,
    type: isObject(node) && typeof node.type === 'string' ? node.type : 'node',
  }))
}

/** The REST calls the page makes: InvokeAI's queue endpoints and the simulator's control API. */
export function createServerApi(target: ServerTarget, queueId = 'default') {
  const queue = `${target.baseUrl}/api/v1/queue/${encodeURIComponent(queueId)}`
  const headers = (json: boolean): Record<string, string> => ({
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
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

  /** The engine's reconciliation fetch, through this client: same base path, same token. */
  const fetchQueueItem: FetchQueueItem = async ({ queueId: queue_id, itemId, signal }) => {
    const url = `${target.baseUrl}/api/v1/queue/${encodeURIComponent(queue_id)}/i/${itemId}`
    const response = await fetch(url, { headers: headers(false), signal })
    if (response.status === 404) return null
    if (!response.ok) throw new HttpStatusError(response.status)
    return (await response.json()) as unknown
  }

  return {
    fetchQueueItem,
    /** The simulator's scenarios; throws on a server that is not the simulator. */
    async scenarios(signal?: AbortSignal): Promise<ScenarioInfo[]> {
      const list = await json<unknown>('GET', `${target.baseUrl}/sim/scenarios`, undefined, signal)
      if (!Array.isArray(list) || !list.every((s) => isObject(s) && typeof s.name === 'string')) {
        throw new ServerError(200, 'not a simulator: /sim/scenarios is not a scenario list')
      }
      return list as ScenarioInfo[]
    },
    enqueueScenario: (scenario: string, runs: number) =>
      json<EnqueueResult>('POST', `${target.baseUrl}/sim/enqueue`, { scenario, runs }),
    getDelivery: (signal?: AbortSignal) =>
      json<DeliveryOptions>('GET', `${target.baseUrl}/sim/delivery`, undefined, signal),
    setDelivery: (options: DeliveryOptions) =>
      json<DeliveryOptions>('POST', `${target.baseUrl}/sim/delivery`, options),
    disconnect: () => json<unknown>('POST', `${target.baseUrl}/sim/disconnect`),
    cancel: (itemId: number) => json<unknown>('PUT', `${queue}/i/${itemId}/cancel`),
    async queueStatus(signal?: AbortSignal): Promise<QueueStatusCounts> {
      const status = await json<{ queue?: QueueStatusCounts }>('GET', `${queue}/status`, undefined, signal)
      if (!status.queue) throw new ServerError(200, 'queue status without `queue`')
      return status.queue
    },
    async graphNodes(itemId: number, signal?: AbortSignal): Promise<GraphNodeInfo[]> {
      return graphNodesOf(await json<unknown>('GET', `${queue}/i/${itemId}`, undefined, signal))
    },
    imageUrl: (imageName: string) =>
      `${target.baseUrl}/api/v1/images/i/${encodeURIComponent(imageName)}/full`,
    thumbnailUrl: (imageName: string) =>
      `${target.baseUrl}/api/v1/images/i/${encodeURIComponent(imageName)}/thumbnail`,
  }
}

export type ServerApi = ReturnType<typeof createServerApi>
