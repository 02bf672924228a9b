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

/**
 * Reads `?server=http://host:9090[/basePath]&token=...`; without `server` the page talks to the server it
 * was served from. Only http(s) URLs are accepted.
 */
export function readServerTarget(location: Pick<Location, 'search' | 'origin'>): TargetResult {
  const params = new URLSearchParams(location.search)
  const token = params.get('token') || null
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
