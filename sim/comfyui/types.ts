// Public and shared types of the ComfyUI simulator. Wire shapes follow docs/comfyui.md §1-§4.

export type JsonObject = { [key: string]: unknown }

/** One node of an API-format prompt: `{ class_type, inputs }`; a link input is `[node_id, output_index]`. */
export interface ApiNode {
  class_type: string
  inputs: Record<string, unknown>
  _meta?: { title?: string }
}

/** An API-format prompt: node id → node. */
export type ApiPrompt = Record<string, ApiNode>

/** `extra_data` as the server keeps it: `client_id` copied from the body, `create_time` (ms) added. */
export interface ExtraData {
  client_id?: string
  create_time: number
  [key: string]: unknown
}

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`, as `GET /queue` and history give it. */
export type QueueTuple = [number, string, ApiPrompt, ExtraData, string[]]

export interface ImageRef {
  filename: string
  subfolder: string
  type: 'output' | 'temp'
}

/** A node's UI output, what `executed` carries and history keeps under `outputs[node]`. */
export interface UiOutput {
  images: ImageRef[]
}

/** A persisted message: `[type, data]`, data with its `timestamp` (ms). */
export type HistoryMessage = [string, JsonObject]

export interface NodeMeta {
  node_id: string
  display_node: string
  parent_node: string | null
  real_node_id: string
}

export interface HistoryStatus {
  status_str: 'success' | 'error'
  completed: boolean
  messages: HistoryMessage[]
}

/** One entry of `GET /history/{id}` (§4.3). */
export interface HistoryEntry {
  prompt: QueueTuple
  outputs: Record<string, UiOutput>
  status: HistoryStatus
  meta: Record<string, NodeMeta>
}

/** One validation error of a node, in `node_errors[node].errors`. */
export interface ValidationError {
  type: string
  message: string
  details: string
  extra_info: JsonObject
}

export type NodeErrors = Record<
  string,
  { errors: ValidationError[]; dependent_outputs: string[]; class_type: string }
>

/** The body of `POST /prompt`. */
export interface PromptRequest {
  prompt?: unknown
  client_id?: string
  prompt_id?: string
  number?: number
  front?: boolean
  extra_data?: JsonObject
  [key: string]: unknown
}

/** The 200 answer of `POST /prompt`: `node_errors` lists outputs dropped by validation (the rest run). */
export interface PromptResponse {
  prompt_id: string
  number: number
  node_errors: NodeErrors
}

/** The 400 answer of `POST /prompt`. */
export interface PromptErrorBody {
  error: ValidationError
  node_errors: NodeErrors
}

export type JobStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'cancelled'

/**
 * How the simulator deviates from a quiet, well-connected server. Every mode is off by default, the
 * node cache included (a real server caches; turn `cachedNodes` on for that).
 */
export interface ComfyDeliveryOptions {
  /** Ms between the terminal `execution_*` frame and the history write (then status, `executing null`). 0 off. */
  historyLag: number
  /** Close the prompt's client socket after this many frames of each run; the run goes on. null off. */
  dropAfterStart: number | null
  /** Serve nodes whose class and inputs (upstream included) match a node of an earlier successful run from cache. */
  cachedNodes: boolean
  /** This node id gets a non-terminal `ExecutionBlocked` execution_error, produces nothing, and the prompt goes on. */
  blockedNode: string | null
  /** Fraction (0-1) of run frames to the prompt's client dropped, drawn from `chaosSeed`. 0 off. */
  chaosDrop: number
  /** Seed of the chaosDrop draws; setting the delivery restarts the sequence. */
  chaosSeed: number
}

export interface ComfySimulatorOptions {
  /** Loopback only: 127.x, ::1 or localhost. */
  host?: string
  /** 0 (default): a free port. */
  port?: number
  /** One KSampler step, one VAEDecode. Other nodes are instant. */
  stepDelayMs?: number
  delivery?: Partial<ComfyDeliveryOptions>
  /** GET requests no route matches are served from this folder. */
  staticDir?: string
  /** History entries kept, the oldest evicted first (core: 10000). */
  maxHistory?: number
  /** A KSampler whose `inputs.seed` is this fails halfway with a torch.OutOfMemoryError. */
  failSeed?: number
}

export interface ComfySimulator {
  /** `http://127.0.0.1:PORT`; the socket is `ws://…/ws?clientId=…`. */
  url: string
  port: number
  close(): Promise<void>
  getDelivery(): ComfyDeliveryOptions
  /** Validated; returns the whole delivery now in force. */
  setDelivery(patch: Partial<ComfyDeliveryOptions>): ComfyDeliveryOptions
  /** Drops every socket at once, as a lost connection would (clients see close code 1006). */
  disconnectClients(): void
  /** As `POST /prompt`: the 200 body, or throws ComfyPromptError (status 400, `body` the error answer). */
  submit(body: PromptRequest): PromptResponse
  /** The history entry once written and `executing null` sent; rejects (404) if the prompt is deleted unrun. */
  whenSettled(promptId: string, timeoutMs?: number): Promise<HistoryEntry>
  /** The server's feature flags (`GET /features` and the handshake answer). */
  features(): JsonObject
}
