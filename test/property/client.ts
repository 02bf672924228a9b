import fc from 'fast-check'
import { sometimes } from './sometimes'

/*
 * Who the client is and when it is there: a user or an admin (on a multi-user server), a socket that
 * first connects at the start, in the middle of the runs or only after all of them ended, and a server
 * that does or does not answer the engine's queue listing on connect (an older one has no endpoints).
 */

export type ConnectSpec =
  | { kind: 'start' }
  /** At this fraction (in thousandths) of the steps the server emits at. */
  | { kind: 'during'; permille: number }
  /** Only at the final reconnect, once every run ended. */
  | { kind: 'after' }

/** How the server answers the listing: `null` (no endpoints), at once, or late with the rows as asked. */
export type HydrationBehaviour = 'unsupported' | 'answers' | { slow: number }

export interface ClientSpec {
  /** On a multi-user server: `admin` rather than `alice` (a single-user server has neither). */
  admin: boolean
  connect: ConnectSpec
  hydration: HydrationBehaviour
}

export const clientSpecArbitrary: fc.Arbitrary<ClientSpec> = fc.record({
  admin: fc.boolean(),
  connect: sometimes<ConnectSpec, ConnectSpec>(
    { kind: 'start' },
    // A client that connects only after every run ended, on a server without the listing, learns nothing.
    fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('during' as const), permille: fc.nat(999) }), weight: 2 },
      { arbitrary: fc.constant({ kind: 'after' as const }), weight: 1 },
    ),
    { on: 2, off: 3 },
  ),
  hydration: sometimes<HydrationBehaviour, HydrationBehaviour>(
    'unsupported',
    fc.oneof(
      fc.constant<HydrationBehaviour>('answers'),
      fc.integer({ min: 1, max: 20 }).map((slow): HydrationBehaviour => ({ slow })),
    ),
    { on: 1, off: 1 },
  ),
})

/** The step the socket may first connect at (Infinity: only at the final reconnect). */
export function connectFrom(connect: ConnectSpec, emittedUntil: number): number {
  if (connect.kind === 'start') return 0
  if (connect.kind === 'after') return Infinity
  return Math.floor((connect.permille / 1000) * emittedUntil)
}

export function describeClient(client: ClientSpec, multiUser: boolean): string {
  const who = multiUser ? (client.admin ? 'admin' : 'alice') : 'single-user'
  const connect =
    client.connect.kind === 'during'
      ? `connects at ${client.connect.permille}‰`
      : `connects ${client.connect.kind}`
  const hydration =
    typeof client.hydration === 'string'
      ? `listing ${client.hydration}`
      : `listing slow ${client.hydration.slow}`
  return `${who}, ${connect}, ${hydration}`
}
