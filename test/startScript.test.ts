import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { defaultWorkflow, startComfySimulator } from '../sim/comfyui'
import { rawExchange } from './helpers/rawHttp'

/*
 * `npm start -- --server URL --token T` as a process: a hostile peer on its port must not end it, and the
 * URL it prints keeps the token out of what is sent to any server (a fragment, not a query).
 */

const repoDir = fileURLToPath(new URL('../', import.meta.url))
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

async function freeLoopbackPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** `tsx scripts/start.ts ARGS` in its own process group; resolves with what it printed once `pattern` shows. */
async function startScript(args: string[], pattern: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...args], {
    cwd: repoDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const output: string[] = []
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    process.kill(-(child.pid as number), 'SIGTERM')
    const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  })
  const printed = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nothing like ${pattern} in 30 s:\n${output.join('')}`)),
      30_000,
    )
    const check = () => {
      const match = pattern.exec(output.join(''))
      if (match) {
        clearTimeout(timer)
        resolve(match)
      }
    }
    child.stdout.on('data', check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before printing:\n${output.join('')}`))
    })
  })
  return { child, printed, output }
}

describe('npm start -- --server URL --token T, as a process', () => {
  it('answers 400 to malformed request targets and stays up; prints the token as a fragment', async () => {
    const port = await freeLoopbackPort()
    const { child, printed, output } = await startScript(
      ['--skip-build', '--port', String(port), '--server', 'http://127.0.0.1:9', '--token', 'tok en'],
      /live page for \S+: (http:\/\/\S+)/,
    )

    const host = `Host: 127.0.0.1:${port}\r\n`
    for (const target of ['//a:99999/', '//[', '//a:99999/api/v1/queue/default/status']) {
      const answer = await rawExchange(port, `GET ${target} HTTP/1.1\r\n${host}Connection: close\r\n\r\n`)
      expect(answer, target).toMatch(/^HTTP\/1\.1 400 /)
      const upgrade = await rawExchange(
        port,
        `GET ${target} HTTP/1.1\r\n${host}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
      )
      expect(upgrade, `upgrade ${target}`).toMatch(/^HTTP\/1\.1 400 /)
    }
    // Still there, still serving (the page if it was built, else a 404), and nothing went to stderr.
    const page = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(3_000) })
    expect([200, 404]).toContain(page.status)
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    expect(child.exitCode).toBeNull()
    expect(output.join('')).not.toMatch(/Invalid URL|TypeError/)
    // The token is for the page's socket: in the fragment, which no request carries, not in the query.
    expect(printed[1]).toBe(`http://127.0.0.1:${port}/#token=tok%20en`)
  }, 60_000)
})

/** A page folder of its own with a bare index.html (no build: `--skip-build --page-dir`). */
async function barePage(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'start-comfy-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><html><head><title>t</title></head><body></body></html>',
  )
  return dir
}

/** The first JSON frame a ComfyUI `/ws` socket gets (the `status` greeting with its sid). */
async function firstFrame(url: string): Promise<{ type: string; data: { sid?: string } }> {
  const socket = new WebSocket(url)
  cleanups.push(async () => socket.terminate())
  return new Promise((resolve, reject) => {
    socket.once('message', (data) =>
      resolve(JSON.parse(String(data)) as { type: string; data: { sid?: string } }),
    )
    socket.once('error', reject)
  })
}

describe('npm start -- --protocol comfyui, as a process', () => {
  it('serves the page marked ComfyUI in front of the simulator, forwards its routes and /ws, and has the delivery controls', async () => {
    const port = await freeLoopbackPort()
    const pageDir = await barePage()
    const { printed } = await startScript(
      ['--skip-build', '--protocol', 'comfyui', '--port', String(port), '--page-dir', pageDir],
      /ComfyUI simulator and live page: (http:\/\/\S+)\//,
    )
    const base = printed[1]
    expect(base).toBe(`http://127.0.0.1:${port}`)

    // The page says which server it is served by.
    const page = await (await fetch(`${base}/`)).text()
    expect(page).toContain('<meta name="workflow-execution-protocol" content="comfyui" />')
    expect(page).toContain('<meta name="workflow-execution-simulator" content="comfyui" />')
    // ComfyUI's routes and socket, through the one port.
    expect(await (await fetch(`${base}/features`)).json()).toMatchObject({ supports_preview_metadata: true })
    expect(await (await fetch(`${base}/queue`)).json()).toEqual({ queue_running: [], queue_pending: [] })
    const greeting = await firstFrame(`ws://127.0.0.1:${port}/ws?clientId=tab-1`)
    expect(greeting).toMatchObject({ type: 'status', data: { sid: 'tab-1' } })

    // The simulator's delivery, as JSON: read, set (validated by the simulator), refused from elsewhere.
    expect(await (await fetch(`${base}/sim/delivery`)).json()).toMatchObject({
      historyLag: 0,
      dropAfterStart: null,
    })
    const set = await fetch(`${base}/sim/delivery`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ historyLag: 25, cachedNodes: true }),
    })
    expect(set.status).toBe(200)
    expect(await set.json()).toMatchObject({ historyLag: 25, cachedNodes: true, dropAfterStart: null })
    const bad = await fetch(`${base}/sim/delivery`, {
      method: 'POST',
      body: JSON.stringify({ historyLag: -1 }),
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/historyLag/)
    const foreign = await fetch(`${base}/sim/delivery`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ historyLag: 0 }),
    })
    expect(foreign.status).toBe(403)
    expect(await (await fetch(`${base}/sim/delivery`)).json()).toMatchObject({ historyLag: 25 })
  }, 60_000)

  it('--server URL --protocol comfyui proxies a ComfyUI server same-origin: its routes, /view and /ws', async () => {
    const comfy = await startComfySimulator({ stepDelayMs: 1 })
    cleanups.push(() => comfy.close())
    const port = await freeLoopbackPort()
    const pageDir = await barePage()
    const { printed } = await startScript(
      [
        '--skip-build',
        '--protocol',
        'comfyui',
        '--port',
        String(port),
        '--page-dir',
        pageDir,
        '--server',
        comfy.url,
      ],
      /ComfyUI live page for \S+: (http:\/\/\S+)/,
    )
    expect(printed[1]).toBe(`http://127.0.0.1:${port}/`)
    const base = `http://127.0.0.1:${port}`

    const page = await (await fetch(`${base}/`)).text()
    expect(page).toContain('<meta name="workflow-execution-protocol" content="comfyui" />')
    expect(page).not.toContain('workflow-execution-simulator')
    // No simulator controls in front of a real server.
    expect((await fetch(`${base}/sim/delivery`)).status).toBe(404)

    const greeting = await firstFrame(`ws://127.0.0.1:${port}/ws?clientId=tab-2`)
    expect(greeting).toMatchObject({ type: 'status', data: { sid: 'tab-2' } })
    const queued = await fetch(`${base}/prompt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: defaultWorkflow({ steps: 2 }), client_id: 'tab-2' }),
    })
    expect(queued.status).toBe(200)
    const { prompt_id } = (await queued.json()) as { prompt_id: string }
    await comfy.whenSettled(prompt_id)
    const history = (await (await fetch(`${base}/history/${prompt_id}`)).json()) as Record<
      string,
      { outputs: Record<string, { images: { filename: string; subfolder: string; type: string }[] }> }
    >
    const image = history[prompt_id]?.outputs['9']?.images[0]
    expect(image).toBeDefined()
    const view = await fetch(`${base}/view?filename=${image?.filename}&subfolder=&type=${image?.type}`)
    expect(view.status).toBe(200)
    expect(view.headers.get('content-type')).toContain('image/png')
    expect((await fetch(`${base}/api/jobs/${prompt_id}`)).status).toBe(200)
  }, 60_000)
})
