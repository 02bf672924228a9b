// Test helpers: a real socket.io client on loopback that records every event, and a small REST caller.
import { io } from 'socket.io-client'
import type { Socket } from 'socket.io-client'
import type { Simulator } from '../types'

export interface Recorded {
  name: string
  payload: Record<string, unknown> & {
    item_id?: number
    status?: string
    status_sequence?: number
    invocation?: { id: string; type: string }
    invocation_source_id?: string
    percentage?: number | null
    image?: { dataURL: string } | null
    result?: Record<string, unknown>
  }
}

export interface TestClient {
  socket: Socket
  events: Recorded[]
  /** Events of one queue item, in arrival order. */
  of(itemId: number): Recorded[]
  waitFor(predicate: (events: Recorded[]) => boolean, timeoutMs?: number): Promise<void>
  close(): void
}

export async function connect(
  sim: Simulator,
  options: { subscribe?: string | null; reconnectionDelay?: number; token?: string; polling?: boolean } = {},
): Promise<TestClient> {
  const socket = io(sim.url, {
    path: `${sim.basePath}/ws/socket.io`,
    // Websocket only keeps tests fast; `polling` starts like a browser does (long-polling, then upgrade).
    transports: options.polling ? ['polling', 'websocket'] : ['websocket'],
    reconnectionDelay: options.reconnectionDelay ?? 50,
    reconnectionDelayMax: options.reconnectionDelay ?? 50,
    auth: options.token ? { token: options.token } : {},
    forceNew: true,
  })
  const events: Recorded[] = []
  const queueId = options.subscribe === undefined ? 'default' : options.subscribe
  // Like the library's binding: subscribe on every connect, reconnects included.
  socket.on('connect', () => {
    if (queueId) socket.emit('subscribe_queue', { queue_id: queueId })
  })
  socket.onAny((name: string, payload: Recorded['payload']) => events.push({ name, payload }))
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve())
    socket.once('connect_error', reject)
  })
  // subscribe_queue is a fire-and-forget event: give the server a moment to handle it.
  await new Promise((resolve) => setTimeout(resolve, 30))
  const waitFor = (predicate: (events: Recorded[]) => boolean, timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now()
      const check = () => {
        if (predicate(events)) return resolve()
        if (Date.now() - started > timeoutMs) {
          const tail = events
            .slice(-8)
            .map((e) => `${e.name}:${e.payload.status ?? e.payload.invocation?.type ?? ''}`)
          return reject(new Error(`timed out; last events: ${tail.join(', ')}`))
        }
        setTimeout(check, 5)
      }
      check()
    })
  return {
    socket,
    events,
    of: (itemId) => events.filter((e) => e.payload.item_id === itemId),
    waitFor,
    close: () => socket.close(),
  }
}

/** A REST call; `token` is sent as `Authorization: Bearer <token>` (the caller's user). */
export async function api(sim: Simulator, method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${sim.url}${sim.basePath}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any }
}

export const isStatus = (status: string) => (e: Recorded) =>
  e.name === 'queue_item_status_changed' && e.payload.status === status

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** True when no value at any depth is null (REST omits null fields). */
export function hasNoNulls(value: unknown): boolean {
  if (value === null) return false
  if (Array.isArray(value)) return value.every(hasNoNulls)
  if (typeof value === 'object') return Object.values(value as object).every(hasNoNulls)
  return true
}
