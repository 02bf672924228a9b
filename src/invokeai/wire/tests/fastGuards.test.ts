import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pathTooDeep } from '../../../features/workflowExecution/wire'
import { validateSessionQueueItem, validateSocketEvent } from '..'
import { areSurelyValidSessionCollections, isSurelyValidProgress, SESSION_COLLECTIONS } from '../fastGuards'
import { invocationProgressSchema, QUEUE_STATUSES, sessionQueueItemSchema, sessionSchema } from '../schemas'

/** Values a field may hold on a hostile or sloppy server: right and wrong types, edges of ranges. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    '',
    'x',
    0,
    -0,
    1,
    0.5,
    -1,
    1.5,
    2 ** 53,
    -(2 ** 53),
    NaN,
    Infinity,
    -Infinity,
    true,
    [],
    {},
  ),
  fc.string(),
  fc.double(),
  fc.integer(),
  fc.constant(Object.create(null) as object),
)

// JSON.parse makes objects with Object.prototype; fast-check may make prototype-less ones otherwise.
const validImage = fc.record(
  { width: fc.nat(), height: fc.nat(), dataURL: fc.string() },
  { noNullPrototype: true },
)

const validProgress = fc.record(
  {
    timestamp: fc.oneof(fc.constant(undefined), fc.integer()),
    queue_id: fc.string(),
    item_id: fc.nat(),
    batch_id: fc.oneof(fc.constant(null), fc.string()),
    origin: fc.oneof(fc.constant(null), fc.string()),
    destination: fc.oneof(fc.constant(null), fc.string()),
    user_id: fc.oneof(fc.constant(null), fc.string()),
    session_id: fc.oneof(fc.constant(null), fc.string()),
    invocation: fc.record({
      id: fc.string({ minLength: 1 }),
      type: fc.string(),
      is_intermediate: fc.boolean(),
    }),
    invocation_source_id: fc.string({ minLength: 1 }),
    message: fc.oneof(fc.constant(null), fc.string()),
    percentage: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1, noNaN: true })),
    image: fc.oneof(fc.constant(null), validImage),
    device: fc.oneof(fc.constant(null), fc.string()),
  },
  { requiredKeys: ['queue_id', 'item_id', 'invocation', 'invocation_source_id'], noNullPrototype: true },
)

const FIELDS = [
  'timestamp',
  'queue_id',
  'item_id',
  'batch_id',
  'origin',
  'destination',
  'user_id',
  'session_id',
  'invocation',
  'invocation_source_id',
  'message',
  'percentage',
  'image',
  'device',
  'extra',
] as const

/** A valid payload with some fields (or fields of its invocation or image) replaced by anything. */
const mutatedProgress = fc
  .tuple(
    validProgress,
    fc.array(fc.tuple(fc.constantFrom(...FIELDS), anyValue), { maxLength: 3 }),
    fc.array(fc.tuple(fc.constantFrom('id', 'type', 'width', 'height', 'dataURL'), anyValue), {
      maxLength: 2,
    }),
  )
  .map(([payload, mutations, nested]) => {
    const next: Record<string, unknown> = { ...payload }
    for (const [field, value] of mutations) next[field] = value
    for (const [field, value] of nested) {
      const target = field === 'id' || field === 'type' ? next.invocation : next.image
      if (typeof target === 'object' && target !== null) (target as Record<string, unknown>)[field] = value
    }
    return next
  })

describe('the fast guard for progress payloads', () => {
  it('never calls valid what zod rejects, and validation answers as zod does within the depth bound', () => {
    let vouched = 0
    fc.assert(
      fc.property(fc.oneof(validProgress, mutatedProgress, anyValue), (payload) => {
        const zod = invocationProgressSchema.safeParse(payload).success
        if (isSurelyValidProgress(payload)) {
          vouched += 1
          expect(zod).toBe(true)
        }
        // The depth bound comes first: a payload nested too deep (or cyclic) is rejected whatever zod says.
        expect(validateSocketEvent('invocation_progress', payload).ok).toBe(
          zod && pathTooDeep(payload) === null,
        )
      }),
      { numRuns: 3_000 },
    )
    // Not vacuous: the guard vouches for most well-formed payloads.
    expect(vouched).toBeGreaterThan(500)
  })

  it('vouches for what InvokeAI sends', () => {
    expect(
      isSurelyValidProgress(
        JSON.parse(
          '{"timestamp":1,"queue_id":"default","item_id":7,"batch_id":"b","origin":"workflows","destination":"gallery","user_id":"system","session_id":"s","invocation":{"id":"p","type":"denoise_latents","is_intermediate":true},"invocation_source_id":"n","message":"Denoising","percentage":0.5,"image":{"width":64,"height":64,"dataURL":"data:image/png;base64,AA"},"device":"cuda:0"}',
        ),
      ),
    ).toBe(true)
  })
})

const plain = { noNullPrototype: true } as const
const idText = fc.string({ maxLength: 6 })
const output = fc.record({ type: fc.string(), image: fc.record({ image_name: fc.string() }, plain) }, plain)

const validSessionItem = fc.record(
  {
    item_id: fc.nat(),
    status: fc.constantFrom(...QUEUE_STATUSES),
    status_sequence: fc.oneof(fc.constant(undefined), fc.nat()),
    session_id: fc.string(),
    session: fc.record(
      {
        id: fc.string(),
        results: fc.dictionary(idText, output, plain),
        errors: fc.dictionary(idText, fc.string(), plain),
        prepared_source_mapping: fc.dictionary(idText, idText, plain),
        source_prepared_mapping: fc.dictionary(idText, fc.array(idText, { maxLength: 3 }), plain),
        executed: fc.array(idText, { maxLength: 4 }),
        executed_history: fc.array(idText, { maxLength: 4 }),
      },
      { requiredKeys: ['id'], noNullPrototype: true },
    ),
  },
  { requiredKeys: ['item_id', 'status', 'session'], noNullPrototype: true },
)

type Collection = (typeof SESSION_COLLECTIONS)[number]

/** A valid item with a collection, one entry of a collection (or of an entry), or a field replaced. */
const mutatedSessionItem = fc
  .tuple(
    validSessionItem,
    fc.array(
      fc.tuple(
        fc.constantFrom<Collection | 'whole' | 'id' | 'item_id' | 'status'>(
          ...SESSION_COLLECTIONS,
          'whole',
          'id',
          'item_id',
          'status',
        ),
        fc.constantFrom('collection', 'entry', 'inner'),
        anyValue,
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([item, mutations]) => {
    const next: Record<string, unknown> = { ...item, session: { ...item.session } }
    const session = next.session as Record<string, unknown>
    for (const [field, where, value] of mutations) {
      if (field === 'whole') next.session = value
      else if (field === 'item_id' || field === 'status') next[field] = value
      else if (where === 'collection' || field === 'id') session[field] = value
      else {
        const collection = session[field]
        if (typeof collection !== 'object' || collection === null) continue
        const keys = Object.keys(collection)
        const key = keys[0] ?? (Array.isArray(collection) ? '0' : 'k')
        const record = collection as Record<string, unknown>
        const entry = record[key]
        if (where === 'inner' && typeof entry === 'object' && entry !== null)
          (entry as Record<string, unknown>)[field === 'results' ? 'type' : '0'] = value
        else record[key] = value
      }
    }
    return next
  })

describe('the fast guard for a persisted session', () => {
  it('never calls valid what zod rejects, and validation answers as zod does within the depth bound', () => {
    const vouched = { valid: 0, invalid: 0 }
    fc.assert(
      fc.property(fc.oneof(validSessionItem, mutatedSessionItem, anyValue), (payload) => {
        const zod = sessionQueueItemSchema.safeParse(payload).success
        const session =
          typeof payload === 'object' && payload !== null
            ? (payload as { session?: unknown }).session
            : undefined
        if (areSurelyValidSessionCollections(session)) {
          vouched.valid += 1
          // What the guard vouches for, zod accepts: the collections alone, beside a valid id.
          const collections = Object.fromEntries(
            SESSION_COLLECTIONS.filter((field) => Object.hasOwn(session as object, field)).map((field) => [
              field,
              (session as Record<string, unknown>)[field],
            ]),
          )
          expect(sessionSchema.safeParse({ ...collections, id: 's' }).success).toBe(true)
        } else if (zod === false) vouched.invalid += 1
        expect(validateSessionQueueItem(payload).ok).toBe(zod && pathTooDeep(payload) === null)
      }),
      { numRuns: 3_000 },
    )
    // Not vacuous: the guard vouches for well-formed sessions, and mutations produce rejected ones.
    expect(vouched.valid).toBeGreaterThan(500)
    expect(vouched.invalid).toBeGreaterThan(300)
  })

  it('vouches for a persisted session as the REST API returns it', () => {
    const body = JSON.parse(
      '{"item_id":7,"status":"completed","session":{"id":"s","results":{"p1":{"type":"image_output","image":{"image_name":"a.png"}}},"errors":{},"prepared_source_mapping":{"p1":"n1"},"source_prepared_mapping":{"n1":["p1"]},"executed":["p1"],"executed_history":["p1"]}}',
    ) as { session: unknown }
    expect(areSurelyValidSessionCollections(body.session)).toBe(true)
    expect(validateSessionQueueItem(body).ok).toBe(true)
  })
})
