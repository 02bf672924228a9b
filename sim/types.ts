// Public and shared types of the simulator. Wire shapes follow docs/protocol.md.

export type QueueItemStatus = 'pending' | 'in_progress' | 'waiting' | 'completed' | 'failed' | 'canceled'

export type JsonObject = { [key: string]: unknown }

export interface GraphNode {
  id: string
  type: string
  is_intermediate?: boolean
  use_cache?: boolean
  [field: string]: unknown
}

export interface EdgeEnd {
  node_id: string
  field: string
}

export interface GraphEdge {
  source: EdgeEnd
  destination: EdgeEnd
}

export interface Graph {
  id: string
  nodes: Record<string, GraphNode>
  edges: GraphEdge[]
}

/** GraphExecutionState as the server persists it (the `session` of a queue item). */
export interface SessionState {
  id: string
  graph: Graph
  execution_graph: Graph
  executed: string[]
  executed_history: string[]
  results: Record<string, JsonObject>
  errors: Record<string, string>
  workflow_call_stack: unknown[]
  workflow_call_history: unknown[]
  max_workflow_call_depth: number
  prepared_source_mapping: Record<string, string>
  source_prepared_mapping: Record<string, string[]>
  prepared_iteration_paths: Record<string, number[]>
  ready_order: string[]
  indegree: Record<string, number>
}

/** One queue row, with every field present (`null` where empty). REST strips the nulls. */
export interface QueueRow {
  item_id: number
  status: QueueItemStatus
  status_sequence: number
  priority: number
  batch_id: string
  origin: string | null
  destination: string | null
  session_id: string
  error_type: string | null
  error_message: string | null
  error_traceback: string | null
  created_at: string
  updated_at: string
  started_at: string | null
  completed_at: string | null
  queue_id: string
  user_id: string
  session: SessionState
}

export interface ChaosOptions {
  /** Seed of the per-client PRNG: the same seed and the same emitted events give the same delivery. */
  seed: number
  /** Events are held in a window of this size and released in a shuffled order (0 or 1 = no reorder). */
  reorderWindow: number
  /** Probability (0..1) that an event is delivered a second time. */
  duplicateRate: number
  /** Probability (0..1) that an event is never delivered. */
  dropRate: number
  /** Each event is held up to this long; delays never reorder (only the window does). */
  maxDelayMs: number
  /** Probability (0..1), per delivered event, that the client's connection is dropped after it. */
  disconnectRate?: number
}

export type DeliveryMode = 'in_order' | 'double'

export interface DeliveryOptions {
  /** `double`: 6.12-6.13 behaviour, every event twice, interleaved A, B, A, B. */
  mode: DeliveryMode
  /** Let the first events of a run reach clients before the enqueue_batch HTTP response. */
  eventsBeforeEnqueueResponse: boolean
  /** After a cancel the running node still sends the progress of its in-flight step. */
  cancelRace: boolean
  /** With cancelRace: the interrupted node finishes anyway (invocation_complete after `canceled`). */
  cancelRaceCompletes: boolean
  chaos: ChaosOptions | null
}

export interface SimulatorOptions {
  /** Always a loopback address. Default '127.0.0.1'. */
  host?: string
  /** Default 0: a random free port. */
  port?: number
  /** Prefix of the API, the control API and the socket.io path, e.g. '/invoke'. Default ''. */
  basePath?: string
  /** Serve this folder's files at `/` for GET requests the API does not match. */
  staticDir?: string
  delivery?: Partial<DeliveryOptions>
  /** Time per simulated step (a denoise step, an image decode). Default 40. */
  stepDelayMs?: number
  /** How long after a `canceled` event the last results are saved. Default 100. */
  cancelPersistDelayMs?: number
  /**
   * How long a chaos reorder window holds its events without new ones before letting them out. Default 250.
   * The delivered sequence is the seed's only while the flush points match: a test that compares two runs
   * under load sets it long, so a stalled machine cannot add a flush.
   */
  chaosIdleFlushMs?: number
  /** Delay between the enqueue HTTP response and the start of its run (in the default delivery). Default 15. */
  startDelayMs?: number
  /** When set, sockets must connect with `auth: { token }` and REST calls with `Authorization: Bearer <token>`. */
  authToken?: string
  /**
   * Multi-user: token → user id. A socket's `auth: { token }` and a REST call's `Authorization: Bearer <token>`
   * make the caller that user (unknown tokens are refused). `admin` sees every item in full; other users get
   * only redacted companions and sanitized items for items not theirs. `authToken` and, when no authToken
   * is set, no token at all, are the single-user `system` user, who sees everything.
   */
  users?: Record<string, string>
  /** What the server offers beyond the 6.14 basics; default: none of it (see ServerFeatures). */
  features?: Partial<ServerFeatures>
  /**
   * Cross-origin callers. Default false: same-origin only (no CORS headers; a POST/PUT, preflight or
   * socket.io handshake whose Origin is not the simulator's own is a 403). `true`: any origin, with CORS
   * `*`. A list: those origins only, e.g. `['http://localhost:5173']` for a dev server.
   */
  cors?: boolean | readonly string[]
  /** How many image files are kept (the most recent ones; older names answer 404). Default 100. */
  maxImages?: number
}

export interface ServerFeatures {
  /**
   * `GET …/current`, `GET …/item_ids`, `POST …/items_by_ids` (InvokeAI main). Default false: they answer 404,
   * like an older server, as they did before the simulator had them.
   */
  snapshotEndpoints: boolean
}

/** A user the simulator knows, with the token that makes a caller that user (`GET /sim/users`). */
export interface SimulatorUser {
  userId: string
  /** null: the caller sends no token at all (the single-user `system` user, when no authToken is set). */
  token: string | null
}

export interface RestartOptions {
  /** How long the server is down (connections refused) before it listens again. Default 0. */
  downtimeMs?: number
}

export interface EnqueueOptions {
  /** The owner of the items. Default 'system'. */
  userId?: string
}

export interface EnqueueBatchBody {
  prepend?: boolean
  batch: {
    graph: { id?: string; nodes: Record<string, GraphNode>; edges: GraphEdge[] }
    runs?: number
    origin?: string | null
    destination?: string | null
  }
}

export interface EnqueueBatchResult {
  queue_id: string
  enqueued: number
  requested: number
  priority: number
  item_ids: number[]
  batch: JsonObject & { batch_id: string }
}

export interface ScenarioParams {
  /** Fan-out width (`fanout`, `simple`). */
  count?: number
  /** Denoise steps (`fanout`, `node_error`, `long`, `workflow_call`). */
  steps?: number
}

export interface ScenarioInfo {
  name: string
  description: string
}

export interface ScenarioEnqueueOptions {
  runs?: number
  origin?: string | null
  destination?: string | null
  queueId?: string
  params?: ScenarioParams
  prepend?: boolean
  /** The owner of the items. Default 'system'. */
  userId?: string
}

export interface Simulator {
  /** http://127.0.0.1:PORT (without basePath). */
  url: string
  port: number
  basePath: string
  scenarios: readonly ScenarioInfo[]
  close(): Promise<void>
  getDelivery(): DeliveryOptions
  /** Merges into the current options (chaos: null turns chaos off); throws on invalid options. */
  setDelivery(options: Partial<DeliveryOptions>): DeliveryOptions
  /** Drops every client connection at the transport: socket.io clients reconnect by themselves. */
  disconnectClients(): void
  /** Same as POST enqueue_batch (without the HTTP response timing); throws a SimulatorError on a bad body. */
  enqueue(body: unknown, queueId?: string, options?: EnqueueOptions): EnqueueBatchResult
  enqueueScenario(name: string, options?: ScenarioEnqueueOptions): EnqueueBatchResult
  /** Same as PUT …/i/{id}/cancel; undefined when the item does not exist. */
  cancel(itemId: number): JsonObject | undefined
  /** What GET …/i/{id} returns (nulls omitted, a copy), or undefined when unknown or cleared. */
  getQueueItem(itemId: number): JsonObject | undefined
  /** Resolves when the item is terminal and its session is saved (for a cancel: after the delayed save). */
  whenSettled(itemId: number, timeoutMs?: number): Promise<JsonObject | undefined>
  /** Resolves when no item is pending, running or waiting and no save is scheduled. */
  whenIdle(timeoutMs?: number): Promise<void>
  getFeatures(): ServerFeatures
  /** Merges into the current features; throws on invalid ones. */
  setFeatures(features: Partial<ServerFeatures>): ServerFeatures
  /**
   * A server restart with a wiped database: every socket drops at once (clients reconnect by themselves), runs
   * stop silently, the queue is empty and item ids start again from 1. Resolves once it listens again.
   */
  restart(options?: RestartOptions): Promise<void>
  /** Who may call and with which token: what `GET /sim/users` lists (see users.ts). */
  users(): SimulatorUser[]
}
