import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pathTooDeep, validateSocketEvent } from '..'
import { isSurelyValidProgress } from '../fastGuards'
import { invocationProgressSchema } from '../schemas'

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
