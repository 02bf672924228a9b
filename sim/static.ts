// Serves a built page from one folder. Paths are resolved inside the folder and anything that would
// leave it (.., encoded slashes, symlinks pointing out) is refused.
import { promises as fs } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
}

const inside = (root: string, file: string) => file === root || file.startsWith(root + path.sep)

/** Returns a handler answering true when it served (or refused) the request, false when no file matched. */
export function createStaticHandler(staticDir: string) {
  // A folder that is not there (a page not built yet) serves nothing, instead of an unhandled rejection.
  const rootPromise = fs.realpath(path.resolve(staticDir)).catch(() => null)

  const resolveFile = async (pathname: string): Promise<string | null> => {
    const root = await rootPromise
    if (root === null) return null
    const candidate = path.resolve(root, '.' + pathname)
    if (!inside(root, candidate)) return null
    const real = await fs.realpath(candidate).catch(() => null)
    if (!real || !inside(root, real)) return null
    const stat = await fs.stat(real)
    if (stat.isFile()) return real
    if (!stat.isDirectory()) return null
    const index = path.join(real, 'index.html')
    return (await fs.stat(index).catch(() => null))?.isFile() ? index : null
  }

  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      return false
    }
    // Backslashes and NUL are never part of a page's paths; refusing them closes Windows-style escapes.
    if (decoded.includes('\0') || decoded.includes('\\')) return false
    const file = await resolveFile(decoded)
    if (!file) return false
    const body = await fs.readFile(file)
    res.writeHead(200, {
      'content-type': contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-cache',
      // The page's URL may carry a token (`?token=`): no request it makes names it in a Referer.
      'referrer-policy': 'no-referrer',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
    return true
  }
}
