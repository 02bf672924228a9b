import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startProxy } from '../scripts/proxy'

/*
 * A browser sends no Origin with a no-cors GET (an <img>, a <script>, fetch(url, {mode: 'no-cors'})) but
 * always says who asked in Sec-Fetch-Site: the proxy adds the token only for its own page's requests.
 */

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

const closing = (server: Server) => () => new Promise<void>((resolve) => server.close(() => resolve()))

function get(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/queue/default/status', headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('the proxy and Sec-Fetch-Site', () => {
  it("forwards, with the token, only what the page itself or the user asked for; another site's page gets 403", async () => {
    const authorizations: (string | undefined)[] = []
    const upstream = createServer((req, res) => {
      authorizations.push(req.headers.authorization)
      res.end('{}')
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    cleanups.push(closing(upstream))
    const proxy = await startProxy({
      target: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      port: 0,
      token: 'secret',
      serveStatic: (_request, response) => void response.end(),
    })
    cleanups.push(closing(proxy))
    const port = (proxy.address() as AddressInfo).port
    const host = `127.0.0.1:${port}`

    for (const site of ['cross-site', 'same-site', 'CROSS-SITE']) {
      expect(await get(port, { host, 'sec-fetch-site': site }), site).toBe(403)
    }
    expect(authorizations).toEqual([])
    const own: Record<string, string>[] = [
      { host, 'sec-fetch-site': 'same-origin' },
      { host, 'sec-fetch-site': 'none' },
      { host },
    ]
    for (const headers of own) {
      expect(await get(port, headers), JSON.stringify(headers)).toBe(200)
    }
    expect(authorizations).toEqual(['Bearer secret', 'Bearer secret', 'Bearer secret'])
  })
})
