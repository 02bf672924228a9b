import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import {
  binaryFrame,
  executingFrame,
  frame,
  PROMPT_ID,
  progressStateFrame,
  statusFrame,
} from '../../../../test/helpers/comfyWire'
import {
  BINARY_PREVIEW_IMAGE,
  BINARY_PREVIEW_IMAGE_WITH_METADATA,
  BINARY_PROGRESS_TEXT,
  type BinaryFrame,
  type ComfyFrame,
} from '../../wire'
import {
  createComfySocket,
  REJECTED_PREVIEW_CHARS,
  type ComfySocket,
  type ComfySocketOptions,
  type ComfySocketRejection,
  type WebSocketConstructor,
} from '..'

// Both WebSocket classes fit the transport's constructor type, checked at compile time.
const wsFits: WebSocketConstructor = WebSocket
type BrowserFits = typeof globalThis.WebSocket extends WebSocketConstructor ? true : never
const browserFits: BrowserFits = true

/** One upgrade request the server saw: accepted or refused (503), with the query it carried. */
interface Attempt {
  url: URL
  at: number
  accepted: boolean
}

interface Peer {
  ws: WebSocket
  url: URL
  /** Text frames the client sent, in order. */
  received: string[]
  closed: Promise<number>
}

/**
 * A ComfyUI-like `/ws` server on 127.0.0.1: records every upgrade attempt, refuses (503) those that
 * `state.refuse(n)` names by their 0-based index, and answers a first `feature_flags` frame with `features`.
 */
async function startServer(options: { features?: Record<string, unknown> } = {}) {
  const attempts: Attempt[] = []
  const peers: Peer[] = []
  const state = { refuse: (_attempt: number): boolean => false }
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info, callback) => {
      const accepted = !state.refuse(attempts.length)
      attempts.push({ url: new URL(info.req.url ?? '/', 'http://server'), at: performance.now(), accepted })
      if (accepted) callback(true)
      else callback(false, 503)
    },
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  wss.on('connection', (ws, request) => {
    const received: string[] = []
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      const text = String(data)
      if (received.length === 0 && options.features && JSON.parse(text).type === 'feature_flags')
        ws.send(JSON.stringify({ type: 'feature_flags', data: options.features }))
      received.push(text)
    })
    peers.push({ ws, url: new URL(request.url ?? '/', 'http://server'), received, closed })
  })
  servers.push(wss)
  const { port } = wss.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    attempts,
    peers,
    state,
    /** The nth accepted connection (0-based), once the client's first frame has arrived. */
    async peer(index: number): Promise<Peer> {
      await until(() => expect(peers[index]?.received.length).toBeGreaterThan(0))
      return peers[index] as Peer
    },
  }
}

const servers: WebSocketServer[] = []
const sockets: ComfySocket[] = []

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close()
  await Promise.all(
    servers.splice(0).map(
      (wss) =>
        new Promise<void>((resolve) => {
          for (const client of wss.clients) client.terminate()
          wss.close(() => resolve())
        }),
    ),
  )
  vi.restoreAllMocks()
})

/** A connection object on `ws`, recording every event it emits. */
function client(options: Omit<ComfySocketOptions, 'WebSocket'>) {
  const socket = createComfySocket({ WebSocket, ...options })
  sockets.push(socket)
  const events = {
    frames: [] as ComfyFrame[],
    binary: [] as BinaryFrame[],
    rejected: [] as ComfySocketRejection[],
    opens: [] as { reconnect: boolean; clientId: string }[],
    closes: [] as { code: number; reason: string }[],
  }
  socket.on('frame', (f) => events.frames.push(f))
  socket.on('binary', (f) => events.binary.push(f))
  socket.on('rejected', (r) => events.rejected.push(r))
  socket.on('open', (info) => events.opens.push(info))
  socket.on('close', (info) => events.closes.push(info))
  return { socket, events }
}

const until = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 2 })

/** The reconnect delays our module scheduled, in order (ws's own 30 s close timer is left out). */
function scheduledDelays(spy: { mock: { calls: unknown[][] } }, max: number): number[] {
  return spy.mock.calls
    .map((call) => call[1])
    .filter((ms): ms is number => typeof ms === 'number' && ms <= max)
}

describe('the ComfyUI WebSocket transport', () => {
  it('compiles against both WebSocket classes', () => {
    expect(wsFits).toBe(WebSocket)
    expect(browserFits).toBe(true)
  })

  it('connects with the clientId in the query and sends feature_flags first', async () => {
    const server = await startServer()
    const { socket, events } = client({ url: server.url, clientId: 'tab 1/+?', query: { token: 'a&b' } })
    expect(socket.connected).toBe(false)
    socket.connect()
    const peer = await server.peer(0)

    expect(peer.url.pathname).toBe('/ws')
    expect(peer.url.search).toBe(`?clientId=${encodeURIComponent('tab 1/+?')}&token=a%26b`)
    expect(peer.url.searchParams.get('clientId')).toBe('tab 1/+?')
    expect(peer.received[0]).toBe(
      JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }),
    )
    await until(() => expect(events.opens).toEqual([{ reconnect: false, clientId: 'tab 1/+?' }]))
    expect(socket.connected).toBe(true)
    expect(socket.clientId).toBe('tab 1/+?')
  })

  it('defaults to a random 32-hex clientId per connection object, and sends the given feature flags', async () => {
    const server = await startServer()
    const a = client({ url: server.url, featureFlags: { supports_preview_metadata: false, x: [1] } })
    const b = client({ url: server.url })
    expect(a.socket.clientId).toMatch(/^[0-9a-f]{32}$/)
    expect(b.socket.clientId).toMatch(/^[0-9a-f]{32}$/)
    expect(a.socket.clientId).not.toBe(b.socket.clientId)
    a.socket.connect()
    const peer = await server.peer(0)
    expect(peer.url.searchParams.get('clientId')).toBe(a.socket.clientId)
    expect(JSON.parse(peer.received[0] as string)).toEqual({
      type: 'feature_flags',
      data: { supports_preview_metadata: false, x: [1] },
    })
  })

  it("takes the server's feature_flags reply as serverFeatures and keeps its clientId whatever status.sid says", async () => {
    const features = {
      supports_preview_metadata: true,
      max_upload_size: 104857600,
      extension: { manager: {} },
    }
    const server = await startServer({ features })
    const { socket, events } = client({ url: server.url, clientId: 'ours' })
    socket.connect()
    const peer = await server.peer(0)
    await until(() => expect(socket.serverFeatures).toEqual(features))
    // The server reuses a given clientId verbatim; a different sid is not adopted.
    peer.ws.send(statusFrame(0, 'theirs'))
    await until(() => expect(events.frames).toHaveLength(1))
    expect(events.frames[0]).toMatchObject({ type: 'status', data: { sid: 'theirs' } })
    expect(socket.clientId).toBe('ours')
    expect(events.rejected).toEqual([])
  })

  it('a feature_flags reply that is not an object, or nested too deep, is rejected and sets nothing', async () => {
    const server = await startServer()
    const { socket, events } = client({ url: server.url })
    socket.connect()
    const peer = await server.peer(0)
    peer.ws.send(frame('feature_flags', [1, 2]))
    peer.ws.send(`{"type":"feature_flags","data":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`)
    await until(() => expect(events.rejected).toHaveLength(2))
    expect(events.rejected[0]).toMatchObject({ type: 'feature_flags', issues: [{ path: 'data' }] })
    expect(events.rejected[1]).toMatchObject({
      type: 'feature_flags',
      issues: [{ message: 'nested too deep' }],
    })
    expect(events.rejected[1]?.issues[0]?.path).toMatch(/^data\.a(\.0)+$/)
    expect(socket.serverFeatures).toBeNull()
  })

  it('keeps the same clientId across a server-side drop and reconnects with backoff', async () => {
    const server = await startServer()
    const timeouts = vi.spyOn(globalThis, 'setTimeout')
    const { socket, events } = client({ url: server.url, reconnectDelayMs: 5, maxReconnectDelayMs: 40 })
    socket.connect()
    const first = await server.peer(0)
    await until(() => expect(events.opens).toHaveLength(1))

    // Drop it, and refuse the next four attempts: they wait 5, 10, 20, 40, then 40 again (the cap).
    server.state.refuse = (attempt) => attempt >= 1 && attempt <= 4
    const droppedAt = performance.now()
    first.ws.terminate()
    await until(() => expect(events.opens).toHaveLength(2))

    expect(server.attempts.map((a) => a.accepted)).toEqual([true, false, false, false, false, true])
    expect(new Set(server.attempts.map((a) => a.url.searchParams.get('clientId')))).toEqual(
      new Set([socket.clientId]),
    )
    expect(scheduledDelays(timeouts, 40)).toEqual([5, 10, 20, 40, 40])
    // Each attempt waited at least its delay after the one before (a timer may round down by a ms).
    const times = [droppedAt, ...server.attempts.slice(1).map((a) => a.at)]
    const delays = [5, 10, 20, 40, 40]
    delays.forEach((delay, i) =>
      expect((times[i + 1] as number) - (times[i] as number)).toBeGreaterThan(delay - 2),
    )
    expect(events.opens).toEqual([
      { reconnect: false, clientId: socket.clientId },
      { reconnect: true, clientId: socket.clientId },
    ])
    expect(events.closes).toEqual([{ code: 1006, reason: '' }])
    // The second open sent feature_flags first again.
    const second = await server.peer(1)
    expect(JSON.parse(second.received[0] as string)).toMatchObject({ type: 'feature_flags' })

    // An open resets the backoff: the next drop waits the first delay again.
    second.ws.close(1012, 'restarting')
    await until(() => expect(events.opens).toHaveLength(3))
    expect(scheduledDelays(timeouts, 40)).toEqual([5, 10, 20, 40, 40, 5])
    expect(events.closes).toEqual([
      { code: 1006, reason: '' },
      { code: 1012, reason: 'restarting' },
    ])
  })

  it('JSON frames reach `frame` validated, unknown types are ignored, malformed and too-deep ones reach `rejected` and nothing else', async () => {
    const server = await startServer()
    const { socket, events } = client({ url: server.url })
    socket.connect()
    const peer = await server.peer(0)
    const long = `{"type":"progress","data":{"value":1,"max":0,"pad":"${'x'.repeat(1000)}"}}`
    for (const text of [
      statusFrame(1),
      executingFrame('9'),
      frame('logs', { entries: [] }),
      frame('crystools.monitor', { cpu: 3 }),
      'not json{',
      frame('progress', { value: 1, max: 0, prompt_id: PROMPT_ID, node: '9' }),
      `{"type":"progress_state","data":{"prompt_id":"p","nodes":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}}`,
      long,
      JSON.stringify({ data: {} }),
      progressStateFrame({ '9': 'running' }),
      executingFrame(null),
    ])
      peer.ws.send(text)
    await until(() => expect(events.frames).toHaveLength(4))

    expect(events.frames.map((f) => f.type)).toEqual(['status', 'executing', 'progress_state', 'executing'])
    expect(events.frames[1]).toEqual({
      type: 'executing',
      data: { node: '9', display_node: '9', prompt_id: PROMPT_ID },
    })
    expect(events.rejected.map((r) => r.type)).toEqual([null, 'progress', 'progress_state', 'progress', null])
    expect(events.rejected[0]).toMatchObject({ issues: [{ path: '(frame)' }], preview: 'not json{' })
    expect(events.rejected[1]?.issues.map((i) => i.path)).toEqual(['data.max'])
    expect(events.rejected[2]?.issues).toEqual([
      { path: expect.stringMatching(/^data\.nodes(\.a)+$/), message: 'nested too deep' },
    ])
    expect(events.rejected[3]?.preview).toBe(long.slice(0, REJECTED_PREVIEW_CHARS))
    expect(events.rejected[4]?.issues).toEqual([{ path: 'type', message: 'missing or not a string' }])
    for (const r of events.rejected) expect(r.preview.length).toBeLessThanOrEqual(REJECTED_PREVIEW_CHARS)
    expect(events.binary).toEqual([])
    expect(events.opens).toHaveLength(1)
    expect(events.closes).toEqual([])
    expect(socket.connected).toBe(true)
  })

  it('binary preview type 4 and type 1 reach `binary`, progress text type 3 too, and garbage bytes reach `rejected`', async () => {
    const server = await startServer()
    const { socket, events } = client({ url: server.url })
    socket.connect()
    const peer = await server.peer(0)
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47])
    const metadata = new TextEncoder().encode(
      JSON.stringify({
        node_id: '12',
        prompt_id: PROMPT_ID,
        display_node_id: '12',
        parent_node_id: null,
        real_node_id: '12',
        image_type: 'image/png',
      }),
    )
    const garbage = new Uint8Array(1000).fill(0xab)
    for (const bytes of [
      binaryFrame(BINARY_PREVIEW_IMAGE_WITH_METADATA, metadata.byteLength, metadata, png),
      binaryFrame(BINARY_PREVIEW_IMAGE, 1, png),
      new Uint8Array([0xde, 0xad]),
      binaryFrame(BINARY_PROGRESS_TEXT, 2, '12', 'step 3/20'),
      garbage,
      binaryFrame(BINARY_PREVIEW_IMAGE, 1, png),
    ])
      peer.ws.send(bytes)
    await until(() => expect(events.binary).toHaveLength(4))

    expect(events.binary[0]).toEqual({
      kind: 'preview',
      mimeType: 'image/png',
      image: png,
      metadata: {
        nodeId: '12',
        promptId: PROMPT_ID,
        displayNodeId: '12',
        parentNodeId: null,
        realNodeId: '12',
      },
    })
    expect(events.binary[1]).toEqual({ kind: 'preview', mimeType: 'image/jpeg', image: png, metadata: null })
    expect(events.binary[2]).toEqual({ kind: 'progress_text', nodeId: '12', text: 'step 3/20' })
    expect(events.rejected).toEqual([
      {
        type: null,
        issues: [{ path: '(binary)', message: 'shorter than its 4-byte event type' }],
        preview: 'de ad',
      },
      {
        type: null,
        issues: [{ path: '(binary)', message: `unknown binary event type ${0xabababab}` }],
        preview: expect.stringMatching(/^(ab )+ab$/),
      },
    ])
    expect(events.rejected[1]?.preview.length).toBeLessThanOrEqual(REJECTED_PREVIEW_CHARS)
    expect(events.frames).toEqual([])
  })

  it('close() stops reconnecting and leaves no timer', async () => {
    const server = await startServer()
    const { socket, events } = client({ url: server.url, reconnectDelayMs: 20 })
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const counts: number[] = []
    socket.on('close', () => {
      // The reconnect is scheduled by the time `close` is emitted; close() clears it.
      counts.push(timers())
      socket.close()
      counts.push(timers())
    })
    socket.connect()
    const peer = await server.peer(0)
    peer.ws.terminate()
    await until(() => expect(events.closes).toHaveLength(1))
    expect(counts[1]).toBe((counts[0] as number) - 1)
    expect(socket.connected).toBe(false)
    await sleep(150)
    expect(server.attempts).toHaveLength(1)
    expect(events.opens).toHaveLength(1)
  })

  it('close() while retrying a refusing server stops the retries', async () => {
    const server = await startServer()
    server.state.refuse = () => true
    const { socket, events } = client({ url: server.url, reconnectDelayMs: 5 })
    socket.connect()
    await until(() => expect(server.attempts.length).toBeGreaterThanOrEqual(3))
    socket.close()
    const seen = server.attempts.length
    await sleep(150)
    expect(server.attempts).toHaveLength(seen)
    // Attempts that never opened emit nothing.
    expect(events.opens).toEqual([])
    expect(events.closes).toEqual([])
  })

  it('close() on an open socket emits close once, closes with 1000, and drops every frame after it', async () => {
    const server = await startServer()
    const { socket, events } = client({ url: server.url, reconnectDelayMs: 5 })
    socket.on('frame', () => socket.close())
    socket.connect()
    const peer = await server.peer(0)
    peer.ws.send(statusFrame(3))
    peer.ws.send(statusFrame(2))
    peer.ws.send(binaryFrame(BINARY_PREVIEW_IMAGE, 1, new Uint8Array([1])))
    peer.ws.send('not json{')
    expect(await peer.closed).toBe(1000)
    await sleep(50)
    expect(events.frames).toHaveLength(1)
    expect(events.binary).toEqual([])
    expect(events.rejected).toEqual([])
    expect(events.closes).toEqual([{ code: 1000, reason: 'closed by the client' }])
    expect(server.attempts).toHaveLength(1)
  })

  it('a late close of a replaced socket schedules no competing reconnect (close() then connect() at once)', async () => {
    const server = await startServer()
    const { socket, events } = client({ url: server.url, reconnectDelayMs: 5 })
    socket.connect()
    const first = await server.peer(0)
    socket.close()
    socket.connect() // the old socket's close event is still to come
    await server.peer(1)
    await first.closed
    await until(() => expect(events.opens).toHaveLength(2))
    await sleep(100)
    expect(server.attempts).toHaveLength(2)
    expect(socket.connected).toBe(true)
    expect(events.opens.map((o) => o.reconnect)).toEqual([false, true])
    expect(events.closes).toEqual([{ code: 1000, reason: 'closed by the client' }])
    // The replacement is live: it still gets frames.
    server.peers[1]?.ws.send(executingFrame(null))
    await until(() => expect(events.frames).toHaveLength(1))
  })

  it('a socket replaced while still connecting leaves one live connection', async () => {
    const server = await startServer()
    const { socket, events } = client({ url: server.url, reconnectDelayMs: 5 })
    socket.connect()
    socket.close()
    socket.connect()
    await until(() => expect(events.opens).toHaveLength(1))
    await sleep(100)
    expect(socket.connected).toBe(true)
    expect(events.opens).toHaveLength(1)
    expect(server.attempts.length).toBeLessThanOrEqual(2)
    expect(events.closes).toEqual([])
  })

  it('a throwing listener does not stop later frames', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const server = await startServer()
    const { socket, events } = client({ url: server.url })
    const thrower = vi.fn(() => {
      throw new Error('listener bug')
    })
    socket.on('frame', thrower)
    socket.on('open', () => {
      throw new Error('open listener bug')
    })
    const collected: ComfyFrame[] = []
    socket.on('frame', (f) => collected.push(f))
    socket.connect()
    const peer = await server.peer(0)
    for (const n of [3, 2, 1]) peer.ws.send(statusFrame(n))
    await until(() => expect(collected).toHaveLength(3))
    expect(thrower).toHaveBeenCalledTimes(3)
    expect(events.frames).toHaveLength(3)
    expect(socket.connected).toBe(true)
    // Once per throwing listener: the open one and the frame one.
    expect(error).toHaveBeenCalledTimes(2)
  })

  it('a removed listener hears nothing more', async () => {
    const server = await startServer()
    const { socket, events } = client({ url: server.url })
    const heard: ComfyFrame[] = []
    const off = socket.on('frame', (f) => heard.push(f))
    socket.connect()
    const peer = await server.peer(0)
    peer.ws.send(statusFrame(1))
    await until(() => expect(heard).toHaveLength(1))
    off()
    off()
    peer.ws.send(statusFrame(0))
    await until(() => expect(events.frames).toHaveLength(2))
    expect(heard).toHaveLength(1)
  })
})

describe('the transport on a stand-in WebSocket', () => {
  /** A WebSocket that records its URL and never opens. */
  function urlOf(options: Omit<ComfySocketOptions, 'WebSocket' | 'clientId'>): string {
    const urls: string[] = []
    class Recording {
      binaryType = 'blob'
      readyState = 0
      onopen = null
      onmessage = null
      onclose = null
      onerror = null
      constructor(url: string) {
        urls.push(url)
      }
      send() {}
      close() {}
    }
    createComfySocket({ ...options, clientId: 'c1', WebSocket: Recording }).connect()
    return urls[0] as string
  }

  it('a replaced socket that still opens, or still talks, is ignored (a WebSocket that does not abort)', () => {
    const made: {
      onopen: (() => void) | null
      onmessage: ((e: { data: unknown }) => void) | null
      sent: string[]
    }[] = []
    class Stubborn {
      binaryType = 'blob'
      readyState = 0
      onopen: (() => void) | null = null
      onmessage: ((e: { data: unknown }) => void) | null = null
      onclose = null
      onerror = null
      sent: string[] = []
      constructor() {
        made.push(this)
      }
      send(data: string) {
        this.sent.push(data)
      }
      close() {}
    }
    const socket = createComfySocket({ url: 'http://h', WebSocket: Stubborn })
    const opens: boolean[] = []
    const frames: ComfyFrame[] = []
    socket.on('open', (info) => opens.push(info.reconnect))
    socket.on('frame', (f) => frames.push(f))
    socket.connect()
    socket.close()
    socket.connect()
    made[0]?.onopen?.()
    made[0]?.onmessage?.({ data: statusFrame(1) })
    expect(made[0]?.sent).toEqual([])
    expect(opens).toEqual([])
    expect(socket.connected).toBe(false)
    made[1]?.onopen?.()
    made[1]?.onmessage?.({ data: statusFrame(1) })
    expect(made[1]?.sent).toHaveLength(1)
    expect(opens).toEqual([false])
    expect(frames).toHaveLength(1)
    socket.close()
  })

  it('derives ws/wss from the server root, keeps its path and appends /ws', () => {
    expect(urlOf({ url: 'http://127.0.0.1:8188' })).toBe('ws://127.0.0.1:8188/ws?clientId=c1')
    expect(urlOf({ url: 'https://comfy.example/base/' })).toBe('wss://comfy.example/base/ws?clientId=c1')
    expect(urlOf({ url: 'ws://h:1/' })).toBe('ws://h:1/ws?clientId=c1')
    expect(urlOf({ url: 'wss://h', query: { token: 't k' } })).toBe('wss://h/ws?clientId=c1&token=t%20k')
  })

  it('refuses a root of another scheme, an empty clientId, clientId in query, and no WebSocket', () => {
    expect(() => urlOf({ url: 'ftp://h' })).toThrow(TypeError)
    expect(() => urlOf({ url: 'http://h', query: { clientId: 'x' } })).toThrow(TypeError)
    expect(() => createComfySocket({ url: 'http://h', clientId: '', WebSocket })).toThrow(TypeError)
    if (typeof globalThis.WebSocket === 'undefined')
      expect(() => createComfySocket({ url: 'http://h', WebSocket: undefined })).toThrow(/no WebSocket/)
  })
})
