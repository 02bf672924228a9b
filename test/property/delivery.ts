import fc from 'fast-check'
import type { ItemTruth, ServerEvent } from './workflowRuns'

/*
 * What the client sees of the server's traces: every event delayed (so reordered within and across
 * items), some duplicated (the copy of a progress event without its image, as 6.13 did), some dropped,
 * all of them lost while disconnected. Randomness comes from a list of numbers the case carries, so a
 * failing case shrinks toward "no noise" and replays exactly.
 */

export type FetchBehaviour = 'ok' | 'fail' | { slow: number }

export interface DeliverySpec {
  noise: number[]
  dropRate: number
  duplicateRate: number
  maxDelay: number
  disconnects: { at: number; length: number }[]
  fetches: FetchBehaviour[]
}

export const deliverySpecArbitrary: fc.Arbitrary<DeliverySpec> = fc.record({
  noise: fc.array(
    fc.integer({ min: 0, max: 999 }).map((n) => n / 1000),
    { minLength: 64, maxLength: 64 },
  ),
  dropRate: fc.constantFrom(0, 0, 0.05, 0.2),
  duplicateRate: fc.constantFrom(0, 0.1, 0.5),
  maxDelay: fc.integer({ min: 0, max: 30 }),
  disconnects: fc.array(fc.record({ at: fc.nat(80), length: fc.integer({ min: 1, max: 15 }) }), {
    maxLength: 2,
  }),
  fetches: fc.array(
    fc.oneof(
      fc.constant<FetchBehaviour>('ok'),
      fc.constant<FetchBehaviour>('fail'),
      fc.integer({ min: 1, max: 25 }).map((slow): FetchBehaviour => ({ slow })),
    ),
    { maxLength: 12 },
  ),
})

export interface TimedEvent {
  at: number
  /** Position among events delivered at the same step. */
  order: number
  event: ServerEvent
}

export interface ScheduleOptions {
  /** The step the server emits the first event at (a later epoch starts after the restart). */
  start?: number
  /** Where in `noise` to continue (a later epoch draws on from where the earlier one stopped). */
  cursor?: number
  /** What this client receives of an event: the event, a redacted companion, or nothing (null). */
  view?: (item: ItemTruth, event: ServerEvent) => ServerEvent | null
}

/** The server emits one event per step, item after item; the client receives them as the spec says. */
export function scheduleDelivery(items: ItemTruth[], spec: DeliverySpec, options: ScheduleOptions = {}) {
  let cursor = options.cursor ?? 0
  const draw = () => spec.noise[cursor++ % spec.noise.length] ?? 0
  const delivered: TimedEvent[] = []
  const emittedAt = new Map<number, { start: number; terminal: number }>()
  let time = options.start ?? 0
  for (const item of items) {
    emittedAt.set(item.itemId, { start: time, terminal: time + item.terminalAt - 1 })
    for (const emitted of item.events) {
      // Sent to other clients, not to this one: the server's step passes all the same.
      const seen = options.view ? options.view(item, emitted) : emitted
      if (seen) {
        const [name, payload] = seen
        const at = time + Math.floor(draw() * (spec.maxDelay + 1))
        if (draw() >= spec.dropRate) delivered.push({ at, order: delivered.length, event: [name, payload] })
        if (draw() < spec.duplicateRate) {
          const copy = name === 'invocation_progress' ? { ...payload, image: null } : payload
          delivered.push({ at: at + Math.floor(draw() * 3), order: delivered.length, event: [name, copy] })
        }
      }
      time += 1
    }
  }
  delivered.sort((a, b) => a.at - b.at || a.order - b.order)
  const end = Math.max(time, ...delivered.map((event) => event.at)) + 1
  return { delivered, emittedAt, end, emittedUntil: time, cursor }
}
