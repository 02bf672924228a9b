import { io } from 'socket.io-client'
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../sim'
import { startProxy } from '../scripts/proxy'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

describe('npm start -- --server: the page is served and the real server is forwarded same-origin', () => {
  it('forwards REST with the token and upgrades socket.io through to the server, and serves the page itself', async () => {
    const server = await startSimulator({ stepDelayMs: 1, authToken: 'secret' })
    cleanups.push(() => server.close())
    const proxy = await startProxy({
      target: server.url,
      port: 0,
      token: 'secret',
      serveStatic: (_request, response) =>
        void response.writeHead(200, { 'content-type': 'text/html' }).end('page'),
    })
    cleanups.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())))
    const address = proxy.address()
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

    expect(await (await fetch(`${base}/`)).text()).toBe('page')
    const status = await fetch(`${base}/api/v1/queue/default/status`)
    expect(status.status).toBe(200)
    expect(await status.json()).toMatchObject({ queue: { queue_id: 'default' } })

    const socket = io(base, { path: '/ws/socket.io', transports: ['websocket'], auth: { token: 'secret' } })
    cleanups.push(() => void socket.close())
    const statuses: string[] = []
    socket.on('queue_item_status_changed', (payload: { status: string }) => statuses.push(payload.status))
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve())
      socket.once('connect_error', reject)
    })
    socket.emit('subscribe_queue', { queue_id: 'default' })
    await new Promise((resolve) => setTimeout(resolve, 50))
    const { item_ids } = server.enqueueScenario('simple')
    await server.whenSettled(item_ids[0] as number)
    const deadline = Date.now() + 5_000
    while (!statuses.includes('completed') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10))
    expect(statuses).toContain('in_progress')
    expect(statuses).toContain('completed')
  })

  it('answers 502 with a JSON reason when the server is down', async () => {
    const proxy = await startProxy({
      target: 'http://127.0.0.1:9',
      port: 0,
      serveStatic: (_request, response) => void response.end(),
    })
    cleanups.push(() => new Promise<void>((resolve) => proxy.close(() => resolve())))
    const address = proxy.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/queue/default/status`)
    expect(response.status).toBe(502)
    expect((await response.json()).detail).toMatch(/^upstream http:\/\/127\.0\.0\.1:9/)
  })
})
