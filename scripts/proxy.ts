import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect as netConnect } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import type { Duplex } from 'node:stream'

export interface ProxyOptions {
  /** A real InvokeAI server, e.g. http://192.0.2.10:9090 (its /api and /ws are forwarded). */
  target: string
  port: number
  /** Serves everything that is not forwarded (the built page). */
  serveStatic: (request: IncomingMessage, response: import('node:http').ServerResponse) => void
  token?: string
}

const FORWARDED = /^\/(api|ws|openapi\.json)(\/|$)/

/**
 * Serves the page and forwards the server's paths to a real server, so the page talks to it same-origin:
 * no CORS set-up on the server, and the socket.io upgrade goes through too.
 */
export function startProxy({ target, port, serveStatic, token }: ProxyOptions): Promise<Server> {
  const upstream = new URL(target)
  const secure = upstream.protocol === 'https:'
  const upstreamPort = Number(upstream.port || (secure ? 443 : 80))
  const headersFor = (request: IncomingMessage) => {
    const headers = { ...request.headers, host: upstream.host }
    if (token && !headers.authorization) headers.authorization = `Bearer ${token}`
    return headers
  }

  const server = createServer((request, response) => {
    if (!FORWARDED.test(request.url ?? '')) return serveStatic(request, response)
    const forward = (secure ? httpsRequest : httpRequest)(
      {
        hostname: upstream.hostname,
        port: upstreamPort,
        path: request.url,
        method: request.method,
        headers: headersFor(request),
      },
      (upstreamResponse) => {
        response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers)
        upstreamResponse.pipe(response)
      },
    )
    forward.on('error', (error) => {
      response.writeHead(502, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ detail: `upstream ${target}: ${error.message}` }))
    })
    request.pipe(forward)
  })

  server.on('upgrade', (request, socket: Duplex, head: Buffer) => {
    if (!FORWARDED.test(request.url ?? '')) return socket.destroy()
    const upstreamSocket = secure
      ? tlsConnect({ host: upstream.hostname, port: upstreamPort, servername: upstream.hostname })
      : netConnect({ host: upstream.hostname, port: upstreamPort })
    upstreamSocket.on('connect', () => {
      const headers = headersFor(request)
      const lines = [`${request.method} ${request.url} HTTP/1.1`]
      for (const [name, value] of Object.entries(headers)) {
        for (const item of Array.isArray(value) ? value : [value])
          if (item !== undefined) lines.push(`${name}: ${item}`)
      }
      upstreamSocket.write(`${lines.join('\r\n')}\r\n\r\n`)
      if (head.length) upstreamSocket.write(head)
      upstreamSocket.pipe(socket).pipe(upstreamSocket)
    })
    const close = () => {
      socket.destroy()
      upstreamSocket.destroy()
    }
    upstreamSocket.on('error', close)
    socket.on('error', close)
  })

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}
