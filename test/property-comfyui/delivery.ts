import fc from 'fast-check'
import { sometimes } from '../property/sometimes'

/*
 * What the client gets of the server. One WebSocket: frames come in the server's order or not at all
 * (dropped at random, lost while the socket is away); the socket opens at the start, in the middle of
 * the run or only at the end, and drops for a while (close, then open: the engine asks again); REST
 * answers at once, fails, or answers late with the state as it was when asked, and is down for whole
 * windows of steps; the server has the jobs API (v0.6+) or only /history and /queue. Randomness comes
 * from a list of numbers the case carries, so a failing case shrinks toward "no noise" and replays
 * exactly.
 */

export type FetchBehaviour = 'ok' | 'fail' | { slow: number }

export type ConnectSpec =
  | { kind: 'start' }
  /** At this fraction (in thousandths) of the steps the server emits at. */
  | { kind: 'during'; permille: number }
  /** Only at the final reconnect, once every prompt ended. */
  | { kind: 'after' }

/** A window of steps: from this fraction (in thousandths) of the server's steps, for `length` steps. */
export interface Window {
  permille: number
  length: number
}

export interface DeliverySpec {
  noise: number[]
  dropRate: number
  connect: ConnectSpec
  /** The socket is away (close, then open again). */
  disconnects: Window[]
  /** Every GET fails (the POST of a submission goes through). */
  outages: Window[]
  /** Each GET in turn, outside outages, until the list runs out (then: ok). */
  fetches: FetchBehaviour[]
  jobsApi: boolean
}

const windowArbitrary = (maxLength: number): fc.Arbitrary<Window> =>
  fc.record({ permille: fc.nat(999), length: fc.integer({ min: 1, max: maxLength }) })

export const deliverySpecArbitrary: fc.Arbitrary<DeliverySpec> = fc.record({
  noise: fc.array(
    fc.integer({ min: 0, max: 999 }).map((n) => n / 1000),
    { minLength: 64, maxLength: 64 },
  ),
  dropRate: fc.constantFrom(0, 0, 0.05, 0.2),
  connect: sometimes<ConnectSpec, ConnectSpec>(
    { kind: 'start' },
    fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('during' as const), permille: fc.nat(999) }), weight: 2 },
      { arbitrary: fc.constant({ kind: 'after' as const }), weight: 1 },
    ),
    { on: 1, off: 3 },
  ),
  disconnects: fc.array(windowArbitrary(20), { maxLength: 2 }),
  outages: fc.array(windowArbitrary(30), { maxLength: 2 }),
  fetches: fc.array(
    fc.oneof(
      fc.constant<FetchBehaviour>('ok'),
      fc.constant<FetchBehaviour>('fail'),
      fc.integer({ min: 1, max: 25 }).map((slow): FetchBehaviour => ({ slow })),
    ),
    { maxLength: 12 },
  ),
  jobsApi: fc.boolean(),
})

/** The step a window starts at, for a server that emits until `emittedUntil`. */
export const windowStart = (window: Window, emittedUntil: number) =>
  Math.floor((window.permille / 1000) * emittedUntil)

export const inWindow = (windows: readonly Window[], emittedUntil: number, time: number) =>
  windows.some((window) => {
    const start = windowStart(window, emittedUntil)
    return time >= start && time < start + window.length
  })

/** The step the socket may first open at (Infinity: only at the final reconnect). */
export function connectFrom(connect: ConnectSpec, emittedUntil: number): number {
  if (connect.kind === 'start') return 0
  if (connect.kind === 'after') return Infinity
  return Math.floor((connect.permille / 1000) * emittedUntil)
}

export function describeDelivery(spec: DeliverySpec): string {
  const connect =
    spec.connect.kind === 'during' ? `connects at ${spec.connect.permille}‰` : `connects ${spec.connect.kind}`
  return `${connect}, drop rate ${spec.dropRate}, ${spec.jobsApi ? 'jobs API' : 'history and queue only'}`
}
