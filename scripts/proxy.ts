import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect as netConnect, type AddressInfo } from 'node:net'
import { pipeline, type Duplex } from 'node:stream'
import { connect as tlsConnect } from 'node:tls'
import { answerSocket, headerOf, parseRequestTarget } from '../sim/http'

/** Which server's paths are forwarded: InvokeAI's (`/api`, `/ws`, `/openapi.json`) or ComfyUI's. */
export type ProxyProtocol = 'invokeai' | 'comfyui'

export interface ProxyOptions {
  /**
   * A real server, e.g. http://192.0.2.10:9090: InvokeAI (its /api and /ws are forwarded) or, with
   * `protocol: 'comfyui'`, ComfyUI (its /ws, /prompt, /queue, /history, /api, /view, /interrupt, /features).
   */
  target: string
  /** Default 'invokeai'. */
  protocol?: ProxyProtocol
  port: number
  /** Serves everything that is not forwarded (the built page); `pathname` is the request's, already parsed. */
  serveStatic: (request: IncomingMessage, response: ServerResponse, pathname: string) => void
  /** Sent as `Authorization: Bearer …` with every forwarded request that has no Authorization of its own. */
  token?: string
  /**
   * How long the server may stay silent on a forwarded request (before its answer or between two chunks of
   * it) or on a socket.io upgrade (before it answers) until it is given up: 504, or the response is cut.
   * Default 60 s, longer than a socket.io long-poll (25 s).
   */
  upstreamTimeoutMs?: number
}

/** The paths forwarded per protocol; everything else is the page's (`serveStatic`). */
export const FORWARDED_PATHS: Readonly<Record<ProxyProtocol, RegExp>> = {
  invokeai: /^\/(api|ws|openapi\.json)(\/|$)/,
  // ComfyUI serves each route at /x and /api/x; /ws is its plain WebSocket (`/ws?clientId=…`).
  comfyui: /^\/(api|ws|prompt|queue|history|view|interrupt|features)(\/|$)/,
}
const DEFAULT_UPSTREAM_TIMEOUT_MS = 60_000

function answer(response: ServerResponse, status: number, detail: string) {
  if (response.writableEnded) return
  if (response.headersSent) return void response.destroy()
  const body = JSON.stringify({ detail })
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  })
  response.end(body)
}

/**
 * Serves the page and forwards the server's paths to a real server, so the page talks to it same-origin:
 * no CORS set-up on the server, and the WebSocket upgrade (socket.io's, or ComfyUI's `/ws`) goes through too.
 *
 * It adds the token, so it forwards only what the page sends: a request addressed to this proxy
 * (`Host` 127.0.0.1:PORT or localhost:PORT, not a rebound DNS name) whose `Origin`, if any, is that same
 * origin and whose `Sec-Fetch-Site`, if any, is `same-origin` or `none`. Anything else is a 403 (a
 * malformed request target a 400), and nothing reaches the server.
 */
export function startProxy({
  target,
  port,
  serveStatic,
  token,
  protocol = 'invokeai',
  upstreamTimeoutMs = DEFAULT_UPSTREAM_TIMEOUT_MS,
}: ProxyOptions): Promise<Server> {
  const FORWARDED = FORWARDED_PATHS[protocol]
  const upstream = new URL(target)
  const secure = upstream.protocol === 'https:'
  const upstreamPort = Number(upstream.port || (secure ? 443 : 80))
  // Only the page's own requests get here (see refusal): to the server they are same-origin requests,
  // as the page would make them served by the server itself (a server checking Origin accepts them).
  const headersFor = (request: IncomingMessage) => {
    const headers = { ...request.headers, host: upstream.host }
    if (headers.origin !== undefined) headers.origin = upstream.origin
    if (token && !headers.authorization) headers.authorization = `Bearer ${token}`
    return headers
  }

  const ownPort = () => (server.address() as AddressInfo | null)?.port ?? port
  /** Why this request is not the page's own (403), or null. */
  const refusal = (request: IncomingMessage): string | null => {
    const own = [`127.0.0.1:${ownPort()}`, `localhost:${ownPort()}`]
    const host = headerOf(request, 'host')?.toLowerCase()
    if (host === undefined || !own.includes(host)) {
      return `Host ${host ?? '(none)'} is not this proxy (${own.join(' or ')})`
    }
    const origin = headerOf(request, 'origin')
    if (origin !== undefined && origin.toLowerCase() !== `http://${host}`) {
      return `Origin ${origin} is not this page's (http://${host})`
    }
    // A browser names who asked even where it sends no Origin (a no-cors GET, an <img>): another site's
    // page must not get the token added to those either. Clients that are not browsers send no such header.
    const site = headerOf(request, 'sec-fetch-site')?.toLowerCase()
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return `Sec-Fetch-Site ${site} is not this page's (same-origin)`
    }
    return null
  }

  const forward = (request: IncomingMessage, response: ServerResponse) => {
    const timedOut = { value: false }
    const upstreamRequest = (secure ? httpsRequest : httpRequest)({
      hostname: upstream.hostname,
      port: upstreamPort,
      path: request.url,
      method: request.method,
      headers: headersFor(request),
    })
    upstreamRequest.setTimeout(upstreamTimeoutMs, () => {
      timedOut.value = true
      upstreamRequest.destroy(new Error(`no answer within ${upstreamTimeoutMs} ms`))
    })
    upstreamRequest.on('response', (upstreamResponse) => {
      response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers)
      // A server that goes away (or goes silent) mid-body cuts the client's response too: pipeline
      // destroys it, so the client sees an incomplete body instead of waiting forever.
      pipeline(upstreamResponse, response, () => {})
    })
    upstreamRequest.on('error', (error) =>
      answer(response, timedOut.value ? 504 : 502, `upstream ${target}: ${error.message}`),
    )
    // The client went away first: so does the forwarded request.
    response.on('close', () => {
      if (!response.writableFinished) upstreamRequest.destroy()
    })
    request.pipe(upstreamRequest)
  }

  const server = createServer((request, response) => {
    // The page's URL may carry a token: nothing it loads names that URL in a Referer.
    response.setHeader('referrer-policy', 'no-referrer')
    try {
      const url = parseRequestTarget(request.url)
      if (!url) return answer(response, 400, 'malformed request target')
      const refused = refusal(request)
      if (refused) return answer(response, 403, refused)
      if (!FORWARDED.test(url.pathname)) return serveStatic(request, response, url.pathname)
      forward(request, response)
    } catch (error) {
      answer(response, 500, error instanceof Error ? error.message : String(error))
    }
  })

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const url = parseRequestTarget(request.url)
    if (!url) return answerSocket(socket, 400, 'malformed request target')
    const refused = refusal(request)
    if (refused) return answerSocket(socket, 403, refused)
    if (!FORWARDED.test(url.pathname)) return answerSocket(socket, 404, 'not found')

    const upstreamSocket = secure
      ? tlsConnect({ host: upstream.hostname, port: upstreamPort, servername: upstream.hostname })
      : netConnect({ host: upstream.hostname, port: upstreamPort })
    // Until the server has answered, a failure is the client's 502 (504 when it stayed silent); after,
    // the two sockets live and die together.
    const state = { answered: false, failure: null as { status: number; detail: string } | null }
    upstreamSocket.setTimeout(upstreamTimeoutMs, () => {
      state.failure = { status: 504, detail: `upstream ${target}: no answer within ${upstreamTimeoutMs} ms` }
      upstreamSocket.destroy()
    })
    upstreamSocket.once(secure ? 'secureConnect' : 'connect', () => {
      const headers = headersFor(request)
      const lines = [`${request.method} ${request.url} HTTP/1.1`]
      for (const [name, value] of Object.entries(headers)) {
        for (const item of Array.isArray(value) ? value : [value])
          if (item !== undefined) lines.push(`${name}: ${item}`)
      }
      upstreamSocket.write(`${lines.join('\r\n')}\r\n\r\n`)
      if (head.length) upstreamSocket.write(head)
      // Not ended by the server's end: until it has answered, the client still gets a 502 of ours.
      upstreamSocket.pipe(socket, { end: false })
      socket.pipe(upstreamSocket)
      upstreamSocket.once('data', () => {
        state.answered = true
        upstreamSocket.setTimeout(0)
      })
    })
    upstreamSocket.on('error', (error) => {
      state.failure ??= { status: 502, detail: `upstream ${target}: ${error.message}` }
    })
    upstreamSocket.on('close', () => {
      if (state.answered) return void socket.end(() => socket.destroy())
      const failure = state.failure ?? { status: 502, detail: `upstream ${target} closed the connection` }
      answerSocket(socket, failure.status, failure.detail)
    })
    socket.on('close', () => upstreamSocket.destroy())
  })

  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}
