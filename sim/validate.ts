// Checks of request bodies. Each parser returns a clean value or throws a 422 whose detail says what is wrong.
import { unprocessable } from './errors'
import { parseGraph } from './graph'
import type {
  ChaosOptions,
  DeliveryOptions,
  Graph,
  RestartOptions,
  ScenarioParams,
  ServerFeatures,
} from './types'
import { isUserId, REDACTED } from './users'

const MAX_RUNS = 100
/** items_by_ids answers at most this many ids at once, as the server does. */
export const MAX_ITEMS_BY_IDS = 1000

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function optionalString(value: unknown, name: string): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw unprocessable(`${name} must be a string or null`)
  return value
}

function optionalInteger(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw unprocessable(`${name} must be an integer from ${min} to ${max}`)
  }
  return value as number
}

function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'boolean') throw unprocessable(`${name} must be a boolean`)
  return value
}

function rejectUnknown(value: Record<string, unknown>, allowed: string[], name: string) {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key))
  if (unknown.length > 0) throw unprocessable(`${name} has unknown field(s): ${unknown.join(', ')}`)
}

export function parseUserId(value: unknown, name: string): string {
  if (!isUserId(value)) throw unprocessable(`${name} must be a non-empty string other than '${REDACTED}'`)
  return value
}

export interface EnqueueRequest {
  prepend: boolean
  graph: Graph
  runs: number
  origin: string | null
  destination: string | null
}

export function parseEnqueueBody(body: unknown): EnqueueRequest {
  if (!isObject(body)) throw unprocessable('body must be an object {prepend?, batch}')
  const prepend = optionalBoolean(body.prepend, 'prepend') ?? false
  if (!isObject(body.batch)) throw unprocessable('batch is required and must be an object')
  const batch = body.batch
  if (batch.data !== undefined && batch.data !== null) {
    throw unprocessable('batch.data (field values per run) is not supported by the simulator')
  }
  return {
    prepend,
    graph: parseGraph(batch.graph),
    runs: optionalInteger(batch.runs, 'batch.runs', 1, MAX_RUNS) ?? 1,
    origin: optionalString(batch.origin, 'batch.origin'),
    destination: optionalString(batch.destination, 'batch.destination'),
  }
}

export interface ScenarioRequest {
  scenario: string
  runs: number
  origin: string | null
  destination: string | null
  queueId: string
  prepend: boolean
  params: ScenarioParams
  /** Undefined: the caller's own user. */
  userId: string | undefined
}

export function parseScenarioParams(value: unknown): ScenarioParams {
  if (value === undefined || value === null) return {}
  if (!isObject(value)) throw unprocessable('params must be an object {count?, steps?}')
  rejectUnknown(value, ['count', 'steps'], 'params')
  return {
    count: optionalInteger(value.count, 'params.count', 0, 100),
    steps: optionalInteger(value.steps, 'params.steps', 1, 1000),
  }
}

export function parseScenarioRequest(body: unknown, names: string[]): ScenarioRequest {
  if (!isObject(body)) throw unprocessable('body must be an object {scenario, runs?, origin?}')
  rejectUnknown(
    body,
    ['scenario', 'runs', 'origin', 'destination', 'queue_id', 'prepend', 'params', 'user_id'],
    'body',
  )
  if (typeof body.scenario !== 'string' || !names.includes(body.scenario)) {
    throw unprocessable(`scenario must be one of: ${names.join(', ')}`)
  }
  const queueId = optionalString(body.queue_id, 'queue_id') ?? 'default'
  return {
    scenario: body.scenario,
    runs: optionalInteger(body.runs, 'runs', 1, MAX_RUNS) ?? 1,
    origin: body.origin === undefined ? 'workflows' : optionalString(body.origin, 'origin'),
    destination: optionalString(body.destination, 'destination'),
    queueId,
    prepend: optionalBoolean(body.prepend, 'prepend') ?? false,
    params: parseScenarioParams(body.params),
    userId: body.user_id === undefined ? undefined : parseUserId(body.user_id, 'user_id'),
  }
}

function parseRate(value: unknown, name: string): number {
  if (value === undefined) return 0
  if (typeof value !== 'number' || !(value >= 0 && value <= 1))
    throw unprocessable(`${name} must be from 0 to 1`)
  return value
}

function parseChaos(value: unknown): ChaosOptions | null {
  if (value === null) return null
  if (!isObject(value)) throw unprocessable('chaos must be an object or null')
  rejectUnknown(
    value,
    ['seed', 'reorderWindow', 'duplicateRate', 'dropRate', 'maxDelayMs', 'disconnectRate'],
    'chaos',
  )
  if (!Number.isSafeInteger(value.seed)) throw unprocessable('chaos.seed must be an integer')
  return {
    seed: value.seed as number,
    reorderWindow: optionalInteger(value.reorderWindow, 'chaos.reorderWindow', 0, 64) ?? 0,
    duplicateRate: parseRate(value.duplicateRate, 'chaos.duplicateRate'),
    dropRate: parseRate(value.dropRate, 'chaos.dropRate'),
    maxDelayMs: optionalInteger(value.maxDelayMs, 'chaos.maxDelayMs', 0, 10_000) ?? 0,
    disconnectRate: parseRate(value.disconnectRate, 'chaos.disconnectRate'),
  }
}

/** Merges a partial set of delivery options onto the current ones. */
export function parseDeliveryPatch(patch: unknown, current: DeliveryOptions): DeliveryOptions {
  if (!isObject(patch)) throw unprocessable('delivery options must be an object')
  rejectUnknown(
    patch,
    ['mode', 'eventsBeforeEnqueueResponse', 'cancelRace', 'cancelRaceCompletes', 'chaos'],
    'delivery options',
  )
  if (patch.mode !== undefined && patch.mode !== 'in_order' && patch.mode !== 'double') {
    throw unprocessable("mode must be 'in_order' or 'double'")
  }
  return {
    mode: (patch.mode as DeliveryOptions['mode'] | undefined) ?? current.mode,
    eventsBeforeEnqueueResponse:
      optionalBoolean(patch.eventsBeforeEnqueueResponse, 'eventsBeforeEnqueueResponse') ??
      current.eventsBeforeEnqueueResponse,
    cancelRace: optionalBoolean(patch.cancelRace, 'cancelRace') ?? current.cancelRace,
    cancelRaceCompletes:
      optionalBoolean(patch.cancelRaceCompletes, 'cancelRaceCompletes') ?? current.cancelRaceCompletes,
    chaos: patch.chaos === undefined ? current.chaos : parseChaos(patch.chaos),
  }
}

export function parseItemIds(body: unknown): number[] {
  if (!Array.isArray(body) || !body.every((id) => Number.isSafeInteger(id))) {
    throw unprocessable('body must be a list of item ids')
  }
  return body as number[]
}

/** Body of POST …/items_by_ids: `{item_ids: int[]}`, at most MAX_ITEMS_BY_IDS of them. */
export function parseItemsByIdsBody(body: unknown): number[] {
  if (!isObject(body) || !Array.isArray(body.item_ids)) {
    throw unprocessable('body must be an object {item_ids: [ids]}')
  }
  const ids = body.item_ids
  if (!ids.every((id) => Number.isSafeInteger(id))) throw unprocessable('item_ids must be integers')
  if (ids.length > MAX_ITEMS_BY_IDS) {
    throw unprocessable(`item_ids has ${ids.length} ids; at most ${MAX_ITEMS_BY_IDS} are allowed`)
  }
  return ids as number[]
}

export function parseOrderDir(value: string | null): 'ASC' | 'DESC' {
  if (value === null) return 'DESC'
  if (value !== 'ASC' && value !== 'DESC') throw unprocessable("order_dir must be 'ASC' or 'DESC'")
  return value
}

export function parseFeaturesPatch(patch: unknown, current: ServerFeatures): ServerFeatures {
  if (!isObject(patch)) throw unprocessable('features must be an object')
  rejectUnknown(patch, ['snapshotEndpoints'], 'features')
  return {
    snapshotEndpoints:
      optionalBoolean(patch.snapshotEndpoints, 'snapshotEndpoints') ?? current.snapshotEndpoints,
  }
}

export function parseRestartOptions(value: unknown): Required<RestartOptions> {
  if (value === undefined) return { downtimeMs: 0 }
  if (!isObject(value)) throw unprocessable('restart options must be an object {downtimeMs?}')
  rejectUnknown(value, ['downtimeMs'], 'restart options')
  return { downtimeMs: optionalInteger(value.downtimeMs, 'downtimeMs', 0, 60_000) ?? 0 }
}
