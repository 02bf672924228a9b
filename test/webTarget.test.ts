import { describe, expect, it } from 'vitest'
import { readServerTarget, urlWithoutToken } from '../web/src/session/target'

// The live page's token: read from the URL once, then out of it (address bar, history entry, Referer).
describe('the live page token', () => {
  const at = (href: string) => {
    const url = new URL(href)
    return readServerTarget({ search: url.search, hash: url.hash, origin: url.origin })
  }

  it('is read from #token= (what npm start prints) or, as before, ?token=', () => {
    const fromFragment = at('http://127.0.0.1:9090/#token=tok%20en')
    expect(fromFragment.ok && fromFragment.target.token).toBe('tok en')
    const fromQuery = at('http://127.0.0.1:9090/?token=abc')
    expect(fromQuery.ok && fromQuery.target.token).toBe('abc')
    const none = at('http://127.0.0.1:9090/')
    expect(none.ok && none.target.token).toBeNull()
  })

  it('leaves the URL, and only the token does', () => {
    expect(urlWithoutToken('http://127.0.0.1:9090/#token=abc')).toBe('http://127.0.0.1:9090/')
    expect(urlWithoutToken('http://127.0.0.1:9090/?token=abc')).toBe('http://127.0.0.1:9090/')
    expect(urlWithoutToken('http://h:1/?server=http%3A%2F%2Fx%3A2&token=abc#token=def&view=x')).toBe(
      'http://h:1/?server=http%3A%2F%2Fx%3A2#view=x',
    )
    expect(urlWithoutToken('http://127.0.0.1:9090/?server=http://x:2#runs')).toBeNull()
  })
})
