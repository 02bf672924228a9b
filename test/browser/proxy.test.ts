import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator, type Simulator } from '../../sim'
import { createStaticHandler } from '../../sim/static'
import { startProxy } from '../../scripts/proxy'
import { rawExchange } from '../helpers/rawHttp'
import {
  BROWSER_TEST_TIMEOUT_MS,
  launchChromium,
  SETTLE_TIMEOUT_MS,
  skipWithoutBrowser,
  waitUntilSettledInPage,
} from './harness'
import { buildPage } from './hostileServer'

/*
 * `npm start -- --server URL --token T` in the browser: the page served by the proxy in front of a
 * simulator that requires the token. The page works through it; malformed request targets are a 400 and
 * leave it up; a page of another origin gets nothing, and the token is not used for it.
 */

const TOKEN = 'proxy-test-token'

interface Answered {
  origin: string | undefined
  site: string | undefined
  path: string
  status: number
}

const fixtures = {} as {
  sim: Simulator
  proxy: Server
  proxyUrl: string
  foreign: Server
  foreignUrl: string
  answered: Answered[]
  browser: Browser
  removePage: () => Promise<void>
}

const listen = (server: Server) =>
  new Promise<string>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
  })
const close = (server: Server | undefined) =>
  new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))

beforeAll(async () => {
  if (skipWithoutBrowser) return
  const page = await buildPage()
  fixtures.removePage = page.remove
  fixtures.sim = await startSimulator({ authToken: TOKEN, stepDelayMs: 5 })
  const serve = createStaticHandler(page.dir)
  fixtures.proxy = await startProxy({
    target: fixtures.sim.url,
    port: 0,
    token: TOKEN,
    serveStatic: (request, response, pathname) =>
      void serve(request, response, pathname).then((served) => {
        if (!served) response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      }),
  })
  fixtures.proxyUrl = `http://127.0.0.1:${(fixtures.proxy.address() as AddressInfo).port}`
  // What the proxy answered to whom: a request from another origin must never have been forwarded.
  fixtures.answered = []
  fixtures.proxy.on('request', (request: IncomingMessage, response) =>
    response.once('finish', () =>
      fixtures.answered.push({
        origin: request.headers.origin,
        site: request.headers['sec-fetch-site'] as string | undefined,
        path: request.url ?? '',
        status: response.statusCode,
      }),
    ),
  )
  // Another page on loopback: another origin, as a site the user also has open would be.
  fixtures.foreign = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>foreign</title>'),
  )
  fixtures.foreignUrl = await listen(fixtures.foreign)
  fixtures.browser = await launchChromium()
}, BROWSER_TEST_TIMEOUT_MS)

afterAll(async () => {
  await fixtures.browser?.close()
  await close(fixtures.foreign)
  fixtures.proxy?.closeAllConnections()
  await close(fixtures.proxy)
  await fixtures.sim?.close()
  await fixtures.removePage?.()
})

async function withPage(use: (page: Page, pageErrors: string[]) => Promise<void>) {
  const context = await fixtures.browser.newContext({ viewport: { width: 1280, height: 800 } })
  try {
    const page = await context.newPage()
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await use(page, pageErrors)
  } finally {
    await context.close()
  }
}

/** A run the simulator starts, followed by the page through the proxy until it settles. */
async function runSettlesInPage(page: Page) {
  const { item_ids } = fixtures.sim.enqueueScenario('simple')
  const itemId = item_ids[0] as number
  await page.getByTestId(`queue-item-${itemId}`).waitFor({ timeout: SETTLE_TIMEOUT_MS })
  expect(await waitUntilSettledInPage(page, itemId)).toBe('completed')
}

describe('the page through the proxy (npm start -- --server URL --token T), in Chromium', () => {
  it.skipIf(skipWithoutBrowser)(
    'connects, follows a run to the end, and survives malformed request targets',
    async () => {
      await withPage(async (page, pageErrors) => {
        await page.goto(`${fixtures.proxyUrl}/#token=${TOKEN}`)
        await expect
          .poll(() => page.getByTestId('connection').getAttribute('data-state'), {
            timeout: SETTLE_TIMEOUT_MS,
          })
          .toBe('connected')
        // The simulator's control API is not forwarded: through the proxy it is a real server's page.
        await expect.poll(() => page.getByTestId('server-kind').getAttribute('data-kind')).toBe('invokeai')
        await runSettlesInPage(page)

        const port = Number(new URL(fixtures.proxyUrl).port)
        for (const target of ['//a:99999/', '//[']) {
          const answer = await rawExchange(
            port,
            `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
          )
          expect(answer, target).toMatch(/^HTTP\/1\.1 400 /)
        }
        // Still up, for the page and for its socket.
        await runSettlesInPage(page)
        expect(await page.getByTestId('connection').getAttribute('data-state')).toBe('connected')
        expect(pageErrors).toEqual([])
      })
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  it.skipIf(skipWithoutBrowser)(
    "a page of another origin gets nothing from the proxy's /api, and the token is not used for it",
    async () => {
      await withPage(async (page) => {
        await page.goto(`${fixtures.foreignUrl}/`)
        fixtures.answered.length = 0
        const foreignOrigin = new URL(fixtures.foreignUrl).origin
        const attempts = await page.evaluate(async (proxyUrl) => {
          const status = `${proxyUrl}/api/v1/queue/default/status`
          const outcome = (request: Promise<Response>) =>
            request.then(
              (response) => `answered ${response.status} (${response.type})`,
              (error: unknown) => `failed: ${String(error)}`,
            )
          return {
            read: await outcome(fetch(status)),
            withCredentials: await outcome(fetch(status, { credentials: 'include' })),
            // An opaque request, as a form or an <img> could make: the browser sends it, shows nothing.
            blind: await outcome(fetch(status, { mode: 'no-cors' })),
          }
        }, fixtures.proxyUrl)
        expect(attempts.read).toMatch(/^failed/)
        expect(attempts.withCredentials).toMatch(/^failed/)
        expect(attempts.blind).toBe('answered 0 (opaque)')

        // Every request the foreign page made reached the proxy and was refused there, before forwarding:
        // the blind one too, which a browser sends without an Origin (its Sec-Fetch-Site names it).
        const fromForeign = fixtures.answered.filter((entry) => entry.site !== 'same-origin')
        expect(fromForeign.map((entry) => entry.status)).toEqual([403, 403, 403])
        expect(fromForeign.filter((entry) => entry.origin === foreignOrigin)).toHaveLength(2)
        // The same request addressed by the page's own origin is forwarded with the token (and answered).
        const own = await fetch(`${fixtures.proxyUrl}/api/v1/queue/default/status`)
        expect(own.status).toBe(200)
      })
    },
    BROWSER_TEST_TIMEOUT_MS,
  )
})
