// InvokeAI's image endpoints, under {base}/api/v1/images/i/{image_name}: the file (`/full`), a thumbnail
// (`/thumbnail`) and the ImageDTO (no suffix). The REST handler calls this for paths no queue or control
// route matched. The two file routes take no token: an `<img src>` cannot send an Authorization header.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ImageStore } from './images'
import { isImageName } from './images'
import { bearerToken } from './users'
import type { Identities } from './users'

/** Image names are UUIDs, never reused: a client may keep a file as long as it likes (InvokeAI: a year). */
const IMAGE_MAX_AGE = 31536000

export interface ImageRouteDeps {
  basePath: string
  images: ImageStore
  identities: Identities
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  const body = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function sendPng(res: ServerResponse, png: Buffer, extra: Record<string, string> = {}) {
  res.writeHead(200, {
    'content-type': 'image/png',
    'content-length': png.length,
    'cache-control': `max-age=${IMAGE_MAX_AGE}`,
    ...extra,
  })
  // Node sends no body for a HEAD request, whatever end() gets.
  res.end(png)
}

/** The decoded name, or null when the segment is not valid percent-encoding. */
function decodeName(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}

/** Returns a handler answering true when the path was an image route (answered, errors included). */
export function createImageRoutes(deps: ImageRouteDeps) {
  const prefix = `${deps.basePath}/api/v1/images/i/`

  return (req: IncomingMessage, res: ServerResponse, pathname: string): boolean => {
    if (!pathname.startsWith(prefix)) return false
    const match = /^([^/]+)(?:\/(full|thumbnail))?$/.exec(pathname.slice(prefix.length))
    if (!match) return false
    const [, segment = '', file] = match
    const method = req.method ?? 'GET'
    // HEAD as on InvokeAI's /full (a client may probe a file); the DTO is GET only.
    if (method !== 'GET' && !(method === 'HEAD' && file)) {
      sendJson(res, 405, { detail: 'Method Not Allowed' })
      return true
    }
    // The DTO is API data like a queue item: it takes the caller's token as every JSON route does.
    if (!file && !deps.identities.resolve(bearerToken(req.headers.authorization))) {
      sendJson(res, 401, { detail: 'Not authenticated' })
      return true
    }
    const name = decodeName(segment)
    // An invalid name is one no image has: the same 404, and it never reaches a lookup.
    if (name === null || !isImageName(name) || !deps.images.has(name)) {
      sendJson(res, 404, {
        detail: `Image ${name !== null && isImageName(name) ? name : '(invalid name)'} not found`,
      })
      return true
    }
    if (file === 'full') {
      sendPng(res, deps.images.full(name) as Buffer, { 'content-disposition': `inline; filename="${name}"` })
      return true
    }
    if (file === 'thumbnail') {
      sendPng(res, deps.images.thumbnail(name) as Buffer)
      return true
    }
    sendJson(res, 200, deps.images.dto(name))
    return true
  }
}
