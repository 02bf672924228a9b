// The checks every HTTP entry point makes before it acts on a request (the simulator's REST handler and
// socket.io handshake, and the `npm start -- --server` proxy): a request target that is a path, a Host
// that is this machine (no DNS rebinding), an Origin that is the page's own, and JSON request bodies.
import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'

const BASE = 'http://localhost'

/**
 * The path and query of an origin-form request target (`/path?query`), or null for anything else:
 * `//host/…` and `/\host/…` (a URL parser reads a host there), absolute URLs, `*`, or what does not parse.
 */
export function parseRequestTarget(target: string | undefined): URL | null {
  if (!target || target[0] !== '/' || target[1] === '/' || target[1] === '\\') return null
  try {
    const url = new URL(target, BASE)
    return url.origin === BASE ? url : null
  } catch {
    return null
  }
}

const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d{1,5})?$/i

/** `127.x.x.x`, `localhost` or `[::1]`, with or without a port: a name that points at this machine. */
export const isLoopbackHost = (host: string) => LOOPBACK_HOST.test(host)

/** The first value of a request header. */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** GET, HEAD and OPTIONS change nothing; everything else may. */
export const isStateChanging = (method: string | undefined) =>
  !['GET', 'HEAD', 'OPTIONS'].includes(method ?? 'GET')

/**
 * Why a POST/PUT body is refused (415), or null: a body must be `application/json`. A request without a
 * body and without a content type is fine (`POST /sim/disconnect`, `PUT …/cancel`).
 */
export function jsonBodyRefusal(req: IncomingMessage): string | null {
  const type = headerOf(req, 'content-type')
  if (type === undefined) {
    const length = Number(headerOf(req, 'content-length') ?? 0)
    const hasBody = length > 0 || Number.isNaN(length) || req.headers['transfer-encoding'] !== undefined
    return hasBody ? 'a request body must be sent as content-type: application/json' : null
  }
  const media = (type.split(';')[0] ?? '').trim().toLowerCase()
  return media === 'application/json' ? null : `content-type ${type} is not application/json`
}

/**
 * Who may call the simulator from another origin: `false` (default) nobody, `true` anyone (CORS `*`, as
 * the simulator once was), or a list of origins such as `http://localhost:5173` (a dev server).
 */
export type CorsOption = boolean | readonly string[]

/** Throws unless every entry of a CORS list is a serialized origin (`http://host:port`, no path). */
export function checkCorsOption(cors: CorsOption | undefined): CorsOption {
  if (cors === undefined || typeof cors === 'boolean') return cors ?? false
  for (const origin of cors) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new Error(`cors: ${origin} is not an origin like http://localhost:5173`)
    }
  }
  return cors
}

export interface OriginPolicy {
  /**
   * Why the request must be refused with 403, or null. A Host that is not a loopback name is refused
   * whatever the method (a rebound DNS name); a foreign Origin only when `stateChanging`.
   */
  refusal(req: IncomingMessage, stateChanging: boolean): string | null
  /** The CORS response headers for this request: none unless its Origin is foreign and opted in. */
  corsHeaders(req: IncomingMessage): Record<string, string>
}

/**
 * Same-origin by default: an Origin is accepted when it is the origin the request was addressed to
 * (`http://` + its Host) or one `cors` opts in. Requests without an Origin (curl, Node, tests) are not
 * a browser's, so no other page can have sent them.
 */
export function createOriginPolicy(cors: CorsOption = false): OriginPolicy {
  const sameOrigin = (req: IncomingMessage, origin: string) => {
    const host = headerOf(req, 'host')
    return host !== undefined && origin.toLowerCase() === `http://${host.toLowerCase()}`
  }
  const optedIn = (origin: string) => cors === true || (Array.isArray(cors) && cors.includes(origin))
  return {
    refusal(req, stateChanging) {
      const host = headerOf(req, 'host')
      if (host !== undefined && !isLoopbackHost(host)) return `Host ${host} is not a loopback address`
      const origin = headerOf(req, 'origin')
      if (origin === undefined || !stateChanging || sameOrigin(req, origin) || optedIn(origin)) return null
      return `cross-origin requests from ${origin} are refused (see the simulator's cors option)`
    },
    corsHeaders(req): Record<string, string> {
      const origin = headerOf(req, 'origin')
      if (origin === undefined || sameOrigin(req, origin) || !optedIn(origin)) return {}
      if (cors === true) return { 'access-control-allow-origin': '*' }
      return { 'access-control-allow-origin': origin, vary: 'origin' }
    },
  }
}

/** Answers a raw socket (an upgrade request nobody takes) with a JSON error and closes it. */
export function answerSocket(socket: Duplex, status: number, detail: string): void {
  if (socket.destroyed || !socket.writable) return void socket.destroy()
  const body = JSON.stringify({ detail })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  )
}
