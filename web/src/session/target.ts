/** Where the page's server lives: its REST root, its socket.io endpoint and the token to present. */
export interface ServerTarget {
  /** REST root without a trailing slash, e.g. 'http://127.0.0.1:9090/invoke'; '' = the page's own origin. */
  baseUrl: string
  /** socket.io server origin; undefined = the page's own origin. */
  socketOrigin: string | undefined
  /** socket.io path: `{basePath}/ws/socket.io`. */
  socketPath: string
  token: string | null
  /** What the header shows. */
  label: string
}

export type TargetResult = { ok: true; target: ServerTarget } | { ok: false; error: string }

const fragmentParams = (hash: string) => new URLSearchParams(hash.replace(/^#/, ''))

/**
 * Reads `?server=http://host:9090[/basePath]` and the token, from `#token=...` (what `npm start` prints: a
 * fragment is never sent to a server) or `?token=...`; without `server` the page talks to the server it
 * was served from. Only http(s) URLs are accepted.
 */
export function readServerTarget(location: Pick<Location, 'search' | 'hash' | 'origin'>): TargetResult {
  const params = new URLSearchParams(location.search)
  const token = fragmentParams(location.hash).get('token') || params.get('token') || null
  const server = params.get('server')
  if (!server) {
    return {
      ok: true,
      target: {
        baseUrl: '',
        socketOrigin: undefined,
        socketPath: '/ws/socket.io',
        token,
        label: location.origin,
      },
    }
  }
  const url = URL.canParse(server) ? new URL(server) : null
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return { ok: false, error: `?server= must be an http(s) URL, got: ${server}` }
  }
  const basePath = url.pathname.replace(/\/+$/, '')
  return {
    ok: true,
    target: {
      baseUrl: `${url.origin}${basePath}`,
      // A path in the URL given to io() would name a namespace, so the base path goes into `path`.
      socketOrigin: url.origin,
      socketPath: `${basePath}/ws/socket.io`,
      token,
      label: `${url.origin}${basePath}`,
    },
  }
}

/**
 * The page's URL without its token (`?token=` and `#token=`), or null when it has none: the page puts it
 * in place (history.replaceState) once read, so the token is not left in the address bar, the history
 * entry, a bookmark or a Referer.
 */
export function urlWithoutToken(href: string): string | null {
  const url = new URL(href)
  const fragment = fragmentParams(url.hash)
  if (!url.searchParams.has('token') && !fragment.has('token')) return null
  url.searchParams.delete('token')
  if (fragment.has('token')) {
    fragment.delete('token')
    url.hash = fragment.toString()
  }
  return url.href
}
