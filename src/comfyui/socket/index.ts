import { pathTooDeep } from '../../features/workflowExecution/wire/depth'
import { decodeBinaryFrame, parseComfyFrame } from '../wire'
import type {
  ComfySocket,
  ComfySocketEvents,
  ComfySocketOptions,
  ComfySocketRejection,
  WebSocketConstructor,
  WebSocketLike,
} from './types'

export type * from './types'

/** The longest `preview` of a rejected frame, in characters. */
export const REJECTED_PREVIEW_CHARS = 200

export const DEFAULT_FEATURE_FLAGS: Readonly<Record<string, unknown>> = Object.freeze({
  supports_preview_metadata: true,
})

const CLOSING = 2

type EventName = keyof ComfySocketEvents
type EventArg<K extends EventName> = Parameters<ComfySocketEvents[K]>[0]

/** `clientId` like the server's own (`uuid.uuid4().hex`): 32 lowercase hex digits. */
function randomClientId(): string {
  const bytes = new Uint8Array(16)
  if (typeof globalThis.crypto?.getRandomValues === 'function') globalThis.crypto.getRandomValues(bytes)
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256)
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** `${root}/ws?clientId=…&…`: http becomes ws and https wss; the root's own path is kept, its query and hash are not. */
function socketUrl(root: string, clientId: string, query: Record<string, string>): string {
  const url = new URL(root)
  const protocols: Record<string, string> = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }
  const protocol = protocols[url.protocol]
  if (!protocol) throw new TypeError(`ComfyUI url must be http(s) or ws(s), not ${url.protocol}`)
  url.protocol = protocol
  url.search = ''
  url.hash = ''
  const base = url.href.replace(/\/+$/, '')
  const params: [string, string][] = [['clientId', clientId], ...Object.entries(query)]
  const search = params.map(
    ([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`,
  )
  return `${base}/ws?${search.join('&')}`
}

/** The first bytes of a binary frame as hex, within REJECTED_PREVIEW_CHARS. */
function hexPreview(bytes: Uint8Array): string {
  const shown = bytes.subarray(0, Math.floor((REJECTED_PREVIEW_CHARS + 1) / 3))
  return Array.from(shown, (byte) => byte.toString(16).padStart(2, '0')).join(' ')
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The server's `feature_flags` reply, which `parseComfyFrame` ignores (the adapter's frames do not include
 * it): `data` must be an object, nested no deeper than the other frames may be.
 */
function parseServerFeatures(
  text: string,
): { ok: true; features: Record<string, unknown> } | { ok: false; path: string; message: string } {
  let envelope: unknown
  try {
    envelope = JSON.parse(text)
  } catch {
    return { ok: false, path: '(frame)', message: 'not JSON' }
  }
  const data = isPlainObject(envelope) ? envelope['data'] : undefined
  if (!isPlainObject(data)) return { ok: false, path: 'data', message: 'not an object' }
  const tooDeep = pathTooDeep(data)
  if (tooDeep !== null)
    return { ok: false, path: tooDeep ? `data.${tooDeep}` : 'data', message: 'nested too deep' }
  return { ok: true, features: data }
}

/**
 * ComfyUI's `/ws` as a typed event source (docs/comfyui.md §1). Every open sends `feature_flags` first;
 * text frames are validated with `parseComfyFrame` and binary ones decoded with `decodeBinaryFrame`, each
 * emitted as `frame`/`binary` or `rejected` (types the adapter does not read are dropped). A drop is
 * followed by reconnects with exponential backoff, always with the same clientId.
 *
 * - **clientId is ours.** The server reuses a given clientId verbatim (§1.1), so the `status` frame's `sid`
 *   is ours echoed back and is not read; the frontend's habit of adopting `sid` only matters when it sends
 *   none. The frame still reaches `frame` listeners.
 * - **One live socket.** Each socket's handlers act only while it is the current one, so a replaced or
 *   closed socket's late messages and late `close` are dropped: it cannot schedule a second, competing
 *   reconnect (the frontend's bug class, §1.4).
 * - **Listeners cannot break it.** A listener that throws is caught; its first error is logged with
 *   `console.error` (once per listener, to not flood at preview rate) and the frame goes on to the others.
 * - **Nothing outlives close().** The retry timer is cleared; no state lives outside this object.
 */
export function createComfySocket(options: ComfySocketOptions): ComfySocket {
  const clientId = options.clientId ?? randomClientId()
  if (typeof clientId !== 'string' || clientId === '')
    throw new TypeError('clientId must be a non-empty string: the server replaces an empty one with its own')
  const query = options.query ?? {}
  if (Object.hasOwn(query, 'clientId')) throw new TypeError('pass clientId as its own option, not in query')
  const url = socketUrl(options.url, clientId, query)
  const WebSocketClass: WebSocketConstructor | undefined =
    options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (!WebSocketClass) throw new TypeError('no WebSocket: pass one (in Node 20, `ws`) as options.WebSocket')
  const SocketClass: WebSocketConstructor = WebSocketClass
  const featureFlagsFrame = JSON.stringify({
    type: 'feature_flags',
    data: options.featureFlags ?? DEFAULT_FEATURE_FLAGS,
  })
  const firstDelay = Math.max(0, options.reconnectDelayMs ?? 300)
  const maxDelay = Math.max(firstDelay, options.maxReconnectDelayMs ?? 10_000)

  const listeners: { [K in EventName]: { listener: ComfySocketEvents[K] }[] } = {
    frame: [],
    binary: [],
    rejected: [],
    open: [],
    close: [],
  }
  const reportedListeners = new WeakSet<object>()
  let current: WebSocketLike | null = null
  let connected = false
  let opens = 0
  let delay = firstDelay
  let retry: ReturnType<typeof setTimeout> | null = null
  let serverFeatures: Record<string, unknown> | null = null

  function emit<K extends EventName>(event: K, arg: EventArg<K>): void {
    for (const { listener } of [...listeners[event]]) {
      try {
        ;(listener as (arg: EventArg<K>) => void)(arg)
      } catch (error) {
        if (!reportedListeners.has(listener)) {
          reportedListeners.add(listener)
          console.error(
            `ComfyUI socket: a '${event}' listener threw (further errors of it are not logged)`,
            error,
          )
        }
      }
    }
  }

  const reject = (type: string | null, issues: ComfySocketRejection['issues'], preview: string) =>
    emit('rejected', { type, issues, preview })

  function onText(text: string): void {
    const parsed = parseComfyFrame(text)
    const preview = () => text.slice(0, REJECTED_PREVIEW_CHARS)
    if (parsed.kind === 'frame') emit('frame', parsed.frame)
    else if (parsed.kind === 'rejected') reject(parsed.type, parsed.issues, preview())
    else if (parsed.type === 'feature_flags') {
      const read = parseServerFeatures(text)
      if (read.ok) serverFeatures = read.features
      else reject('feature_flags', [{ path: read.path, message: read.message }], preview())
    }
  }

  function onBinary(bytes: Uint8Array): void {
    const decoded = decodeBinaryFrame(bytes)
    if (decoded.ok) emit('binary', decoded.frame)
    else reject(null, [{ path: '(binary)', message: decoded.reason }], hexPreview(bytes))
  }

  function onData(data: unknown): void {
    if (typeof data === 'string') onText(data)
    else if (data instanceof ArrayBuffer) onBinary(new Uint8Array(data))
    else if (ArrayBuffer.isView(data)) onBinary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    else
      reject(
        null,
        [{ path: '(frame)', message: 'neither text nor an ArrayBuffer (binaryType not honoured?)' }],
        '',
      )
  }

  function scheduleRetry(): void {
    const wait = delay
    delay = Math.min(Math.max(delay * 2, 1), maxDelay)
    retry = setTimeout(() => {
      retry = null
      open(true)
    }, wait)
  }

  /** A constructor that throws (a refused URL) throws to connect()'s caller; a retry has none, so it tries again later. */
  function open(retrying: boolean): void {
    let socket: WebSocketLike
    try {
      socket = new SocketClass(url)
    } catch (error) {
      if (!retrying) throw error
      scheduleRetry()
      return
    }
    current = socket
    socket.binaryType = 'arraybuffer'
    let opened = false
    socket.onopen = () => {
      if (current !== socket) return
      opened = true
      connected = true
      delay = firstDelay
      serverFeatures = null
      socket.send(featureFlagsFrame)
      opens += 1
      emit('open', { reconnect: opens > 1, clientId })
    }
    socket.onmessage = (event: { data?: unknown }) => {
      if (current === socket) onData(event.data)
    }
    // Always set, never removed: `ws` throws an 'error' event that has no listener. A close event follows.
    socket.onerror = () => {}
    socket.onclose = (event: { code?: unknown; reason?: unknown }) => {
      if (current !== socket) return
      current = null
      connected = false
      scheduleRetry()
      if (opened)
        emit('close', {
          code: typeof event.code === 'number' ? event.code : 1006,
          reason: typeof event.reason === 'string' ? event.reason : '',
        })
    }
  }

  return {
    clientId,
    get connected() {
      return connected
    },
    get serverFeatures() {
      return serverFeatures
    },
    connect() {
      if (current || retry) return
      open(false)
    },
    close() {
      const socket = current
      const wasConnected = connected
      current = null
      connected = false
      delay = firstDelay
      if (retry) clearTimeout(retry)
      retry = null
      if (socket && socket.readyState < CLOSING) socket.close(1000)
      if (wasConnected) emit('close', { code: 1000, reason: 'closed by the client' })
    },
    on(event, listener) {
      const entry = { listener }
      const list = listeners[event] as { listener: typeof listener }[]
      list.push(entry)
      return () => {
        const at = list.indexOf(entry)
        if (at >= 0) list.splice(at, 1)
      }
    },
  }
}
