// Test helpers: a real `ws` client on loopback that records every frame, and a small REST caller.
import { WebSocket } from 'ws'
import { startComfySimulator } from '../index'
import type { ComfySimulator, ComfySimulatorOptions } from '../index'

export type Recorded =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  { kind: 'json'; type: string; data: any } | { kind: 'binary'; type: number; bytes: Buffer }

export interface TestClient {
  ws: WebSocket
  frames: Recorded[]
  /** The sid the server's first status frame named. */
  sid: string
  /** JSON frames of one type, in arrival order. */
  ofType(type: string): Extract<Recorded, { kind: 'json' }>[]
  waitFor(predicate: (frames: Recorded[]) => boolean, timeoutMs?: number): Promise<void>
  /** Resolves once the server closed (or cut) the socket. */
  closed: Promise<void>
  close(): void
}

const open: { sims: ComfySimulator[]; clients: TestClient[] } = { sims: [], clients: [] }

/** Closes every client and server the helpers opened: each test file's `afterEach(closeAll)`. */
export async function closeAll() {
  open.clients.splice(0).forEach((client) => client.close())
  await Promise.all(open.sims.splice(0).map((sim) => sim.close()))
}

export async function startSim(options: ComfySimulatorOptions = {}) {
  const sim = await startComfySimulator({ stepDelayMs: 2, ...options })
  open.sims.push(sim)
  return sim
}

export const describeFrame = (frame: Recorded) => {
  if (frame.kind === 'binary') return `binary${frame.type}`
  if (frame.type === 'executing' || frame.type === 'executed') return `${frame.type}:${frame.data.node}`
  return frame.type
}

export async function connect(
  sim: ComfySimulator,
  options: { clientId?: string; featureFlags?: boolean; path?: string } = {},
): Promise<TestClient> {
  const query = options.clientId === undefined ? '' : `?clientId=${encodeURIComponent(options.clientId)}`
  const ws = new WebSocket(`${sim.url.replace(/^http/, 'ws')}${options.path ?? '/ws'}${query}`)
  const frames: Recorded[] = []
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary) frames.push({ kind: 'binary', type: data.readUInt32BE(0), bytes: Buffer.from(data) })
    else {
      const { type, data: payload } = JSON.parse(data.toString('utf8')) as { type: string; data: unknown }
      frames.push({ kind: 'json', type, data: payload })
    }
  })
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  if (options.featureFlags) {
    ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }))
  }
  const waitFor = (predicate: (frames: Recorded[]) => boolean, timeoutMs = 5000) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now()
      const check = () => {
        if (predicate(frames)) return resolve()
        if (Date.now() - started > timeoutMs) {
          return reject(
            new Error(`timed out; last frames: ${frames.slice(-8).map(describeFrame).join(', ')}`),
          )
        }
        setTimeout(check, 2)
      }
      check()
    })
  await waitFor((all) => all.some((f) => f.kind === 'json' && f.type === 'status' && f.data.sid))
  if (options.featureFlags)
    await waitFor((all) => all.some((f) => f.kind === 'json' && f.type === 'feature_flags'))
  const first = frames.find((f) => f.kind === 'json' && f.type === 'status') as Extract<
    Recorded,
    { kind: 'json' }
  >
  const client: TestClient = {
    ws,
    frames,
    sid: first.data.sid as string,
    ofType: (type) =>
      frames.filter((f): f is Extract<Recorded, { kind: 'json' }> => f.kind === 'json' && f.type === type),
    waitFor,
    closed,
    close: () => ws.terminate(),
  }
  open.clients.push(client)
  return client
}

/** Frames of one prompt's run: from its execution_start on (status broadcasts in between included). */
export function runFrames(client: TestClient, promptId: string): Recorded[] {
  const start = client.frames.findIndex(
    (f) => f.kind === 'json' && f.type === 'execution_start' && f.data.prompt_id === promptId,
  )
  return start < 0 ? [] : client.frames.slice(start)
}

export const isJson = (type: string, promptId?: string) => (frame: Recorded) =>
  frame.kind === 'json' &&
  frame.type === type &&
  (promptId === undefined || frame.data.prompt_id === promptId)

/** Waits for `executing {node: null}` of the prompt: the run is over and its history written. */
export const ended = (promptId: string) => (frames: Recorded[]) =>
  frames.some(
    (f) =>
      f.kind === 'json' && f.type === 'executing' && f.data.node === null && f.data.prompt_id === promptId,
  )

/** A REST call; the body is JSON when there is one, else the text (or null when empty). */
export async function api(sim: ComfySimulator, method: string, path: string, body?: unknown) {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  const isJsonBody = response.headers.get('content-type')?.startsWith('application/json')
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const parsed: any = text === '' ? null : isJsonBody ? JSON.parse(text) : text
  return { status: response.status, body: parsed }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
