import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BROWSER_TEST_TIMEOUT_MS,
  enqueueThroughPage,
  launchChromium,
  openLivePage,
  SETTLE_TIMEOUT_MS,
  skipWithoutBrowser,
} from './harness'
import { buildPage, startHostileServer, type HostileServer } from './hostileServer'

/*
 * The live page against a server that attacks it (hostileServer.ts): markup in every string, megabytes,
 * 2,500-level outputs, wrong REST shapes, events for unknown items, a flood of new items. The page must
 * show all of it as bounded text, never run a script, never unmount, and keep answering clicks.
 */

/** Rows the windowed queue renders at most: 12 in view and 4 of overscan on each side. */
const MAX_QUEUE_ROWS = 20
const MAX_DECISION_ROWS = 30
/** Characters of text on the whole page: a megabyte anywhere would show here. */
const MAX_PAGE_TEXT = 60_000
const FLOOD_SECONDS = 4
const VIEWPORT = { width: 1280, height: 800 }

const fixtures = {} as { server: HostileServer; browser: Browser; removePage: () => Promise<void> }

beforeAll(async () => {
  if (skipWithoutBrowser) return
  const page = await buildPage()
  fixtures.removePage = page.remove
  fixtures.server = await startHostileServer({ pageDir: page.dir })
  fixtures.browser = await launchChromium()
}, BROWSER_TEST_TIMEOUT_MS)

afterAll(async () => {
  await fixtures.browser?.close()
  await fixtures.server?.close()
  await fixtures.removePage?.()
})

async function openPage(): Promise<{ page: Page; pageErrors: string[]; close: () => Promise<void> }> {
  const context = await fixtures.browser.newContext({ viewport: VIEWPORT })
  const page = await context.newPage()
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await openLivePage(page, { url: fixtures.server.url })
  return { page, pageErrors, close: () => context.close() }
}

/** What must hold after every attack: nothing ran, nothing threw, and the page text stayed bounded. */
async function expectUnharmed(page: Page, pageErrors: string[]) {
  expect(await page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined()
  expect(pageErrors).toEqual([])
  expect(await page.evaluate(() => document.body.innerText.length)).toBeLessThan(MAX_PAGE_TEXT)
  // An unbreakable string of hundreds of characters wraps: the header and the panels stay in the window.
  const widest = await page.evaluate(() =>
    Math.max(
      ...Array.from(
        document.querySelectorAll('.page-header, .layout'),
        (e) => e.getBoundingClientRect().right,
      ),
    ),
  )
  expect(widest).toBeLessThanOrEqual(VIEWPORT.width)
}

describe('the live page against a hostile server, in Chromium', () => {
  it.skipIf(skipWithoutBrowser)(
    'a hostile run: markup stays text, megabytes and deep outputs are shown bounded, nothing unmounts',
    async () => {
      fixtures.server.setRest('valid')
      const { page, pageErrors, close } = await openPage()
      try {
        // The scenario's name is markup, its description 100,000 characters: both are text.
        await expect.poll(() => page.getByTestId('server-kind').getAttribute('data-kind')).toBe('simulator')
        const itemId = await enqueueThroughPage(page, 'plain')
        await page.getByTestId(`queue-item-${itemId}`).click()
        await expect
          .poll(() => page.getByTestId(`queue-item-${itemId}`).getAttribute('data-status'), {
            timeout: SETTLE_TIMEOUT_MS,
          })
          .toBe('failed')
        const run = page.locator(`[data-testid="run"][data-item-id="${itemId}"]`)
        await run.getByTestId('output').first().waitFor()
        await run.getByTestId('error-of-node').first().waitFor()
        await run.getByTestId('item-error').waitFor()
        // The 2,500-level output was rejected by the engine: its preview is shown, bounded.
        await page.getByTestId('rejected').first().waitFor()
        expect(await page.getByTestId('panel-error').count()).toBe(0)
        // Markup in the payloads is in the page as text, never as elements.
        expect(await page.locator('#root img[onerror], #root script, #root svg[onload]').count()).toBe(0)
        expect(await run.textContent()).toContain('window.__pwned=1')
        // Image names go into URLs only encoded.
        for (const src of await run
          .locator('img')
          .evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src')))) {
          expect(src).not.toMatch(/[<>"]|\/\.\.\//)
        }
        await expectUnharmed(page, pageErrors)
      } finally {
        await close()
      }
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  it.skipIf(skipWithoutBrowser)(
    'wrong REST shapes show as errors where their values would be, and the page keeps working',
    async () => {
      fixtures.server.setRest('wrong')
      const { page, pageErrors, close } = await openPage()
      try {
        // Objects where counts belong (React error #31 blanked the page): a visible error instead.
        await expect
          .poll(() => page.getByTestId('server-queue').textContent())
          .toMatch(/status: unexpected answer: queue\.pending/)
        await expect
          .poll(() => page.getByTestId('controls').textContent())
          .toMatch(/delivery: unexpected answer/)
        await page.getByTestId('scenario-select').selectOption('plain')
        await page.getByTestId('enqueue-button').click()
        await expect
          .poll(() => page.getByTestId('controls').textContent())
          .toMatch(/enqueue: unexpected answer/)
        expect(await page.getByTestId('panel-error').count()).toBe(0)
        // The socket still works: a run the server sends shows.
        fixtures.server.sendHostileRun(900)
        await expect
          .poll(() => page.getByTestId('queue-item-900').getAttribute('data-status'), {
            timeout: SETTLE_TIMEOUT_MS,
          })
          .toBe('failed')
        await expectUnharmed(page, pageErrors)
      } finally {
        await close()
      }
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  it.skipIf(skipWithoutBrowser)(
    'a flood of 2,000 new items a second: the rows rendered stay few, and the page answers clicks',
    async () => {
      fixtures.server.setRest('valid')
      const { page, pageErrors, close } = await openPage()
      try {
        // A few items first, so the queue's rows and the header are where they stay during the flood.
        await fixtures.server.flood({ perSecond: 1_000, seconds: 0.05, firstId: 500_000 })
        const queue = page.getByTestId('queue')
        await expect.poll(async () => Number(await queue.getAttribute('data-count'))).toBe(50)
        const topRow = await page.getByTestId('queue-viewport').boundingBox()
        const followBox = await page.getByTestId('follow-button').boundingBox()
        if (!topRow || !followBox) throw new Error('no queue rows or follow button on the page')
        const follow = page.getByTestId('follow-button')
        await page.evaluate(() => {
          const longest = { ms: 0 }
          Object.assign(window, { __longestTask: longest })
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) longest.ms = Math.max(longest.ms, entry.duration)
          }).observe({ type: 'longtask' })
        })

        const flood = fixtures.server.flood({ perSecond: 2_000, seconds: FLOOD_SECONDS, firstId: 1_000_000 })
        await expect.poll(async () => Number(await queue.getAttribute('data-count'))).toBeGreaterThan(100)
        // Mid-flood, as a user would: a click on the queue's top row picks an item (the follow button turns
        // on), a click on the follow button goes back to the live run.
        const clicked = Date.now()
        await page.mouse.click(topRow.x + 30, topRow.y + 12)
        await expect
          .poll(() => follow.isEnabled(), {
            timeout: SETTLE_TIMEOUT_MS,
            message: 'the row click is answered',
          })
          .toBe(true)
        const picked = Date.now() - clicked
        await page.mouse.click(followBox.x + followBox.width / 2, followBox.y + followBox.height / 2)
        await expect
          .poll(() => follow.isDisabled(), {
            timeout: SETTLE_TIMEOUT_MS,
            message: 'the follow click is answered',
          })
          .toBe(true)
        const followed = Date.now() - clicked - picked
        const rows = await queue.locator('[data-testid^="queue-item-"]').count()
        const decisionRows = await page.locator('[data-testid^="decisions-"][data-ignored]').count()
        const held = Number(await queue.getAttribute('data-count'))
        const floodRunning = (await Promise.race([flood.then(() => false), Promise.resolve(true)])) as boolean

        expect((await flood).sent).toBe(2_000 * FLOOD_SECONDS)
        expect(rows).toBeGreaterThan(0)
        expect(rows).toBeLessThanOrEqual(MAX_QUEUE_ROWS)
        expect(decisionRows).toBeLessThanOrEqual(MAX_DECISION_ROWS)
        expect(held).toBeGreaterThan(MAX_QUEUE_ROWS)
        const longestTask = await page.evaluate(
          () => (window as { __longestTask?: { ms: number } }).__longestTask?.ms,
        )
        console.log(
          `flood: ${held} items held, ${rows} queue rows rendered; clicks answered in ${picked} ms and ` +
            `${followed} ms${floodRunning ? ' while it ran' : ''}; longest task ${longestTask} ms`,
        )

        // After the flood, the newest item is the top row and a click on it is answered.
        await expect
          .poll(() => queue.locator('[data-testid^="queue-item-"]').first().getAttribute('data-testid'), {
            timeout: SETTLE_TIMEOUT_MS,
          })
          .toBe(`queue-item-${1_000_000 + 2_000 * FLOOD_SECONDS - 1}`)
        await page.getByTestId(`queue-item-${1_000_000 + 2_000 * FLOOD_SECONDS - 1}`).click()
        await expect
          .poll(() =>
            page
              .getByTestId(`queue-item-${1_000_000 + 2_000 * FLOOD_SECONDS - 1}`)
              .getAttribute('aria-pressed'),
          )
          .toBe('true')
        expect(await page.getByTestId('panel-error').count()).toBe(0)
        await expectUnharmed(page, pageErrors)
      } finally {
        await close()
      }
    },
    BROWSER_TEST_TIMEOUT_MS,
  )
})
