import fc from 'fast-check'
import { sometimes } from '../property/sometimes'
import type { GraphSpec } from './graph'
import type { Ending, PromptSpec } from './runs'
import type { ComfyCase } from './server'

/*
 * The generated cases: 1-4 prompts of this client (and sometimes one of an API script somewhere in the
 * queue), each a small graph that ends one of five ways; and what the client gets of the server (see
 * delivery.ts). Every dimension shrinks to its plainest value.
 */

const graphSpecArbitrary: fc.Arbitrary<GraphSpec> = fc.record({
  links: fc.array(fc.array(fc.nat(5), { maxLength: 2 }), { minLength: 1, maxLength: 5 }),
  previewOutput: fc.boolean(),
  ephemeral: sometimes(false, fc.constant(true), { on: 1, off: 3 }),
  cachedMask: sometimes(0, fc.nat(63), { on: 1, off: 2 }),
})

const endingArbitrary: fc.Arbitrary<Ending> = fc.oneof(
  { arbitrary: fc.constant<Ending>({ kind: 'success' }), weight: 3 },
  {
    arbitrary: fc.record({ kind: fc.constant('failure' as const), at: fc.nat(7), after: fc.nat(3) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('interrupt' as const), at: fc.nat(7), after: fc.nat(3) }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('deleted' as const), back: fc.nat(6) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('cleared' as const), back: fc.nat(6) }), weight: 1 },
)

export const promptSpecArbitrary: fc.Arbitrary<PromptSpec> = fc.record({
  graph: graphSpecArbitrary,
  blocked: sometimes(null, fc.nat(5), { on: 1, off: 2 }),
  progressSteps: fc.integer({ min: 0, max: 2 }),
  previews: fc.boolean(),
  ending: endingArbitrary,
  // Within the engine's terminal delay and lag retries, or well past them.
  lag: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 4, max: 30 })),
  gap: fc.oneof(
    { arbitrary: fc.constant(0), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 40 }), weight: 2 },
  ),
})

export const comfyCaseArbitrary: fc.Arbitrary<ComfyCase> = fc.record({
  prompts: fc.array(promptSpecArbitrary, { minLength: 1, maxLength: 4 }),
  foreign: sometimes(null, fc.record({ position: fc.nat(4), prompt: promptSpecArbitrary }), {
    on: 1,
    off: 2,
  }),
})
