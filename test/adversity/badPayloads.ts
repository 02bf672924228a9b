import fc from 'fast-check'
import { QUEUE_STATUSES, type SocketEventName } from '../../src'
import { complete, imageResult, invocationError, progress, started, statusChanged } from '../helpers/wire'
import { deeplyNestedArray, deeplyNestedObject, hugeString, ownRecord, pollutingKeys } from './support'

/*
 * Generated socket payloads that break their event's schema. A case is a small plan (printed by
 * fast-check when a property fails, so a 5 MB string shows as `{ huge: 5242880 }`), materialized into the
 * payload only when the property runs.
 */

export type Payload = Record<string, unknown>

/** A value to put somewhere in a payload, described rather than held. */
export type Value =
  | { literal: unknown }
  | { missing: true }
  | { huge: number }
  | { deepObject: number }
  | { deepArray: number }
  | { circular: true }
  | { object: Record<string, Value> }
  | { array: Value[] }

export interface BadPayloadPlan {
  event: SocketEventName
  /** The whole payload replaced by something that is not the event's object. */
  whole?: Value
  /** Fields of a valid payload removed or replaced by a value of the wrong type or range. */
  mutations: { field: string; value: Value }[]
  /** Valid but large: an unknown field carrying a string of this many characters. */
  bulk: number | null
  /** Own `__proto__` / `constructor` keys, as JSON.parse makes them. */
  pollute: boolean
}

export const TRACKED_ITEM = { itemId: 1 }

/** Valid payloads about the tracked item 1 (running copy `p` of node `n`): each would change state. */
export const VALID_PAYLOADS: Record<SocketEventName, () => Payload> = {
  queue_item_status_changed: () => statusChanged(TRACKED_ITEM, 'completed', 5),
  invocation_started: () => started(TRACKED_ITEM, 'p2', 'n'),
  invocation_progress: () =>
    progress(TRACKED_ITEM, 'p', 'n', 0.5, { width: 64, height: 64, dataURL: 'data:image/png;base64,AAAA' }),
  invocation_complete: () => complete(TRACKED_ITEM, 'p', 'n', imageResult('a.png')),
  invocation_error: () => invocationError(TRACKED_ITEM, 'p', 'n'),
  batch_enqueued: () => ({
    timestamp: 1787134502,
    queue_id: 'default',
    batch_id: 'batch-9',
    enqueued: 2,
    requested: 2,
    priority: 0,
    origin: 'workflows',
    user_id: 'system',
  }),
  queue_cleared: () => ({ timestamp: 1787134502, queue_id: 'default', user_id: null }),
  queue_items_canceled: () => ({
    timestamp: 1787134502,
    queue_id: 'default',
    canceled_item_ids: [1, 2],
    user_ids: ['system'],
    canceled_item_ids_by_user: { system: [1, 2] },
  }),
  queue_items_retried: () => ({
    timestamp: 1787134502,
    queue_id: 'default',
    retried_item_ids: [3],
    user_ids: ['system'],
  }),
}

type FieldKind =
  | 'itemId'
  | 'text'
  | 'id'
  | 'optText'
  | 'optNumber'
  | 'status'
  | 'sequence'
  | 'percentage'
  | 'optCount'
  | 'optObject'
  | 'invocation'
  | 'result'
  | 'image'
  | 'itemIds'
  | 'optStrings'
  | 'optIdsByUser'

const REQUIRED: ReadonlySet<FieldKind> = new Set([
  'itemId',
  'text',
  'id',
  'status',
  'invocation',
  'result',
  'itemIds',
])

type Fields = [string, FieldKind][]

const queueEventFields: Fields = [
  ['timestamp', 'optNumber'],
  ['queue_id', 'text'],
  ['item_id', 'itemId'],
  ['batch_id', 'optText'],
  ['origin', 'optText'],
  ['destination', 'optText'],
  ['user_id', 'optText'],
]

const invocationFields: Fields = [
  ...queueEventFields,
  ['session_id', 'optText'],
  ['invocation', 'invocation'],
  ['invocation_source_id', 'id'],
]

/** What each schema checks (wire/schemas.ts), as the generator needs it. */
export const FIELDS: Record<SocketEventName, Fields> = {
  queue_item_status_changed: [
    ...queueEventFields,
    ['status', 'status'],
    ['status_sequence', 'sequence'],
    ['error_type', 'optText'],
    ['error_message', 'optText'],
    ['error_traceback', 'optText'],
    ['created_at', 'optText'],
    ['updated_at', 'optText'],
    ['started_at', 'optText'],
    ['completed_at', 'optText'],
    ['session_id', 'optText'],
    ['batch_status', 'optObject'],
    ['queue_status', 'optObject'],
  ],
  invocation_started: invocationFields,
  invocation_progress: [
    ...invocationFields,
    ['message', 'optText'],
    ['percentage', 'percentage'],
    ['image', 'image'],
    ['device', 'optText'],
  ],
  invocation_complete: [...invocationFields, ['result', 'result']],
  invocation_error: [
    ...invocationFields,
    ['error_type', 'text'],
    ['error_message', 'text'],
    ['error_traceback', 'optText'],
  ],
  batch_enqueued: [
    ['timestamp', 'optNumber'],
    ['queue_id', 'text'],
    ['batch_id', 'text'],
    ['enqueued', 'optCount'],
    ['requested', 'optCount'],
    ['priority', 'optNumber'],
    ['origin', 'optText'],
    ['user_id', 'optText'],
  ],
  queue_cleared: [
    ['timestamp', 'optNumber'],
    ['queue_id', 'text'],
    ['user_id', 'optText'],
  ],
  queue_items_canceled: [
    ['timestamp', 'optNumber'],
    ['queue_id', 'text'],
    ['canceled_item_ids', 'itemIds'],
    ['user_ids', 'optStrings'],
    ['canceled_item_ids_by_user', 'optIdsByUser'],
  ],
  queue_items_retried: [
    ['timestamp', 'optNumber'],
    ['queue_id', 'text'],
    ['retried_item_ids', 'itemIds'],
    ['user_ids', 'optStrings'],
  ],
}

// --- values of the wrong type or range --------------------------------------------------------------

const MB = 1_048_576
const DEPTH = 10_000

const lit = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<Value> =>
  arbitrary.map((literal): Value => ({ literal }))
const obj = (fields: Record<string, Value>): Value => ({ object: fields })
const L = (literal: unknown): Value => ({ literal })

const huge = fc.integer({ min: MB, max: 5 * MB }).map((chars): Value => ({ huge: chars }))
const deepObject = fc
  .oneof(fc.constant(DEPTH), fc.integer({ min: 1, max: DEPTH }))
  .map((depth): Value => ({ deepObject: depth }))
const deepArray = fc
  .oneof(fc.constant(DEPTH), fc.integer({ min: 1, max: DEPTH }))
  .map((depth): Value => ({ deepArray: depth }))

const numbers = lit(fc.oneof(fc.integer(), fc.double()))
const nonFinite = lit(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY))
const fractional = lit(fc.double({ noInteger: true }))
const negativeInts = lit(fc.oneof(fc.constant(-1), fc.integer({ min: -2_147_483_648, max: -1 })))
const strings = lit(fc.string({ maxLength: 24 }))
const numericStrings = lit(fc.nat().map(String))
const booleans = lit(fc.boolean())
const nulls = fc.constant<Value>({ literal: null })
const jsonArrays = lit(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }))
const jsonObjects = lit(
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
)
const bigints = lit(fc.bigInt())
const negativeNumbers = lit(fc.double({ max: -Number.MIN_VALUE }))
const aboveOne = lit(fc.double({ min: 1, minExcluded: true }))

const notAnObject = fc.oneof(nulls, numbers, nonFinite, strings, booleans, jsonArrays, bigints)
const notAnArray = fc.oneof(nulls, numbers, strings, booleans, jsonObjects)
const notAString = fc.oneof(numbers, nonFinite, booleans, nulls, jsonArrays, jsonObjects, bigints)

const badItemId = fc.oneof(
  negativeInts,
  fractional,
  nonFinite,
  numericStrings,
  strings,
  booleans,
  nulls,
  jsonArrays,
  jsonObjects,
  bigints,
)

const arrayWithOne = (bad: fc.Arbitrary<Value>, good: fc.Arbitrary<unknown>) =>
  fc.tuple(fc.array(good, { maxLength: 5 }), bad, fc.nat()).map(([values, value, at]): Value => {
    const index = values.length === 0 ? 0 : at % (values.length + 1)
    const items = values.map(L)
    items.splice(index, 0, value)
    return { array: items }
  })

const STATUS_SET: ReadonlySet<string> = new Set(QUEUE_STATUSES)

const VIOLATIONS: Record<FieldKind, fc.Arbitrary<Value>> = {
  itemId: badItemId,
  text: notAString,
  id: fc.oneof(fc.constant(L('')), notAString),
  optText: fc.oneof(numbers, nonFinite, booleans, jsonArrays, jsonObjects, bigints),
  optNumber: fc.oneof(strings, numericStrings, nonFinite, booleans, nulls, jsonArrays, jsonObjects),
  status: fc.oneof(
    lit(fc.string({ maxLength: 24 }).filter((text) => !STATUS_SET.has(text))),
    lit(fc.constantFrom('COMPLETED', 'In_Progress', 'done', 'cancelled', 'running', ' pending')),
    numbers,
    nulls,
    booleans,
    jsonArrays,
    jsonObjects,
  ),
  sequence: fc.oneof(
    negativeInts,
    fractional,
    nonFinite,
    numericStrings,
    strings,
    booleans,
    jsonArrays,
    jsonObjects,
  ),
  percentage: fc.oneof(
    aboveOne,
    negativeNumbers,
    nonFinite,
    numericStrings,
    booleans,
    jsonArrays,
    jsonObjects,
  ),
  optCount: fc.oneof(
    negativeInts,
    fractional,
    nonFinite,
    numericStrings,
    nulls,
    booleans,
    jsonArrays,
    jsonObjects,
  ),
  optObject: fc.oneof(numbers, nonFinite, strings, booleans, jsonArrays, bigints),
  invocation: fc.oneof(
    notAnObject,
    fc.constant(obj({ type: L('add'), is_intermediate: L(false) })),
    fc.constant(obj({ id: L(''), type: L('add') })),
    notAString.map((id) => obj({ id, type: L('add') })),
    deepObject.map((deep) => obj({ type: L('add'), nested: deep })),
  ),
  result: fc.oneof(
    notAnObject,
    fc.constant(obj({})),
    notAString.map((type) => obj({ type, image: L({ image_name: 'a.png' }) })),
    huge.map((name) => obj({ image: obj({ image_name: name }) })),
    deepObject.map((deep) => obj({ nested: deep })),
  ),
  image: fc.oneof(
    numbers,
    strings,
    booleans,
    jsonArrays,
    fc
      .oneof(negativeNumbers, nonFinite, numericStrings, nulls, booleans)
      .chain((bad) =>
        fc.constantFrom(
          obj({ width: bad, height: L(64), dataURL: L('data:,') }),
          obj({ width: L(64), height: bad, dataURL: L('data:,') }),
        ),
      ),
    notAString.map((dataURL) => obj({ width: L(64), height: L(64), dataURL })),
    fc.constant(obj({ width: L(64), height: L(64) })),
  ),
  itemIds: fc.oneof(notAnArray, arrayWithOne(badItemId, fc.nat())),
  optStrings: fc.oneof(
    numbers,
    strings,
    booleans,
    jsonObjects,
    arrayWithOne(fc.oneof(numbers, nulls, jsonObjects, booleans), fc.string({ maxLength: 8 })),
  ),
  optIdsByUser: fc.oneof(
    numbers,
    strings,
    booleans,
    notAnArray.map((ids) => obj({ system: ids })),
    arrayWithOne(badItemId, fc.nat()).map((ids) => obj({ system: ids })),
  ),
}

/** Kinds a string satisfies: a huge string is no violation there. */
const STRING_KINDS: ReadonlySet<FieldKind> = new Set(['text', 'id', 'optText'])

/**
 * The heavy values, rarer than the rest (they cost milliseconds each): a 1-5 MB string where a string is
 * wrong, an object or an array nested up to 10,000 levels. A loose object accepts any nested object.
 */
function heavyViolationOf(kind: FieldKind): fc.Arbitrary<Value> {
  const heavy: fc.Arbitrary<Value>[] = [deepArray]
  if (!STRING_KINDS.has(kind)) heavy.push(huge)
  if (kind !== 'optObject') heavy.push(deepObject)
  return fc.oneof(...heavy)
}

function violationOf(kind: FieldKind): fc.Arbitrary<Value> {
  const bad = fc.oneof(
    { weight: 12, arbitrary: VIOLATIONS[kind] },
    { weight: 1, arbitrary: heavyViolationOf(kind) },
  )
  return REQUIRED.has(kind) ? fc.oneof(fc.constant<Value>({ missing: true }), bad) : bad
}

function wholeReplacements(event: SocketEventName): fc.Arbitrary<Value> {
  const valid = VALID_PAYLOADS[event]()
  const ordinary = fc.oneof(
    fc.constantFrom<Value>(L(null), L(undefined), L(JSON.stringify(valid)), L([valid]), { circular: true }),
    numbers,
    nonFinite,
    strings,
    booleans,
    bigints,
    jsonArrays,
  )
  return fc.oneof(
    { weight: 4, arbitrary: ordinary },
    { weight: 1, arbitrary: fc.oneof(huge, deepObject, deepArray) },
  )
}

/** Generated plans for one event: most mutate a valid payload, some replace it whole. */
export function badPayloadPlans(event: SocketEventName): fc.Arbitrary<BadPayloadPlan> {
  const mutation = fc
    .constantFrom(...FIELDS[event])
    .chain(([field, kind]) => violationOf(kind).map((value) => ({ field, value })))
  const noise = fc.record({
    bulk: fc.oneof(
      { weight: 9, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.integer({ min: MB, max: 5 * MB }) },
    ),
    pollute: fc.boolean(),
  })
  return fc
    .oneof(
      { weight: 1, arbitrary: wholeReplacements(event).map((whole) => ({ event, whole, mutations: [] })) },
      {
        weight: 6,
        arbitrary: fc
          .tuple(fc.array(mutation, { minLength: 1, maxLength: 3 }), noise)
          .map(([mutations, { bulk, pollute }]) => ({ event, mutations, bulk, pollute })),
      },
    )
    .map((plan): BadPayloadPlan => ({ bulk: null, pollute: false, ...plan }))
}

/** Hand-picked extremes every event gets, before the generated ones. */
export function extremePlans(event: SocketEventName): BadPayloadPlan[] {
  const plans: BadPayloadPlan[] = []
  const whole = (value: Value) =>
    plans.push({ event, whole: value, mutations: [], bulk: null, pollute: false })
  const set = (field: string, value: Value, extra: Partial<BadPayloadPlan> = {}) =>
    plans.push({ event, mutations: [{ field, value }], bulk: null, pollute: false, ...extra })

  for (const value of [null, undefined, 42, Number.NaN, Number.POSITIVE_INFINITY, 'text', true, 10n, []]) {
    whole(L(value))
  }
  whole(L([VALID_PAYLOADS[event]()]))
  whole({ deepObject: DEPTH })
  whole({ deepArray: DEPTH })
  whole({ huge: 5 * MB })
  whole({ circular: true })

  for (const [field, kind] of FIELDS[event]) {
    if (REQUIRED.has(kind)) set(field, { missing: true })
    switch (kind) {
      case 'itemId':
        for (const value of [1.5, Number.NaN, Number.POSITIVE_INFINITY, -1, '1', null]) set(field, L(value))
        set(field, { huge: 5 * MB })
        set(field, { deepObject: DEPTH })
        set(field, { huge: 5 * MB }, { bulk: 5 * MB, pollute: true })
        break
      case 'sequence':
        for (const value of [-1, 0.5, Number.NaN, Number.NEGATIVE_INFINITY, '2']) set(field, L(value))
        break
      case 'percentage':
        for (const value of [Number.NaN, Number.POSITIVE_INFINITY, 1.5, -0.1, '0.5']) set(field, L(value))
        break
      case 'status':
        for (const value of ['COMPLETED', 'done', null, 3]) set(field, L(value))
        set(field, { huge: 5 * MB })
        break
      case 'text':
      case 'id':
        for (const value of [7, null, ['x']]) set(field, L(value))
        if (kind === 'id') set(field, L(''))
        break
      case 'invocation':
        for (const value of [null, [], 'p', { type: 'add' }, { id: '' }, { id: 7 }]) set(field, L(value))
        set(field, obj({ type: L('add'), nested: { deepObject: DEPTH } }))
        break
      case 'result':
        for (const value of [null, [], {}, { type: 5 }, 'image_output']) set(field, L(value))
        set(field, obj({ nested: { deepObject: DEPTH } }))
        break
      case 'image':
        for (const value of [
          { width: -1, height: 1, dataURL: 'data:,' },
          { width: Number.NaN, height: 1, dataURL: 'data:,' },
          { width: 1, height: Number.POSITIVE_INFINITY, dataURL: 'data:,' },
          { width: 1, height: 1, dataURL: 7 },
          'data:,',
        ]) {
          set(field, L(value))
        }
        break
      case 'itemIds':
        for (const value of [
          [1, 2.5],
          [Number.NaN],
          [-3],
          [Number.POSITIVE_INFINITY],
          ['1'],
          null,
          { 0: 1 },
        ]) {
          set(field, L(value))
        }
        set(field, { deepArray: DEPTH })
        break
      case 'optIdsByUser':
        set(field, L({ system: [1, -2] }))
        break
      case 'optNumber':
        for (const value of [Number.NaN, Number.POSITIVE_INFINITY, '1787134502', null]) set(field, L(value))
        break
      default:
        break
    }
  }
  return plans
}

function circular(): Payload {
  const value: Payload = { event: 'loop' }
  value.self = value
  return value
}

export function materialize(value: Value): unknown {
  if ('literal' in value) return value.literal
  if ('huge' in value) return hugeString(value.huge)
  if ('deepObject' in value) return deeplyNestedObject(value.deepObject)
  if ('deepArray' in value) return deeplyNestedArray(value.deepArray)
  if ('circular' in value) return circular()
  if ('array' in value) return value.array.map(materialize)
  if ('object' in value) {
    return ownRecord(Object.entries(value.object).map(([key, field]) => [key, materialize(field)]))
  }
  return undefined
}

/** The payload a plan describes, built fresh. */
export function buildBadPayload(plan: BadPayloadPlan): unknown {
  if (plan.whole) return materialize(plan.whole)
  const payload: Payload = { ...VALID_PAYLOADS[plan.event]() }
  if (plan.bulk !== null) payload.notes = hugeString(plan.bulk, 'n')
  if (plan.pollute) {
    for (const [key, value] of Object.entries(pollutingKeys())) {
      Object.defineProperty(payload, key, { value, enumerable: true, writable: true, configurable: true })
    }
  }
  for (const { field, value } of plan.mutations) {
    if ('missing' in value) delete payload[field]
    else payload[field] = materialize(value)
  }
  return payload
}
