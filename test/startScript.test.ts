import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
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
