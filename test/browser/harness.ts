import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import type { Browser, Locator, Page } from 'playwright-core'
import { expect, it } from 'vitest'
import { validateSessionQueueItem } from '../../src/invokeai'
import type { SessionQueueItem } from '../../src'

/*
 * What every browser test shares: the live page as `npm start` serves it (the page built by vite, the
 * simulator on one loopback port), Debian's Chromium, the page's own controls driven as a user would, and
 * what the server persisted to check the page against.
 */

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
const requireBrowser = process.env.REQUIRE_BROWSER === '1'
export const repoDir = fileURLToPath(new URL('../../', import.meta.url))

/** Building the page and a whole run fit easily; nothing here asserts how long anything takes. */
export const BROWSER_TEST_TIMEOUT_MS = 120_000
export const SETTLE_TIMEOUT_MS = 60_000

if (!hasChromium) {
  console.warn(
    requireBrowser
      ? `REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: the live-page browser test fails. ` +
          'Install it with `apt-get install -y chromium`.'
      : `Skipping the live-page browser test: ${CHROMIUM} is missing. ` +
          'Install it with `apt-get update && apt-get install -y chromium` (bash .ci/run does).',
  )
}

export interface LiveServer {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  url: string
}

/** A port nothing listens on right now, on loopback. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port from the loopback listener')
  return address.port
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** Ends a whole process group: SIGTERM (the simulator closes), then SIGKILL for whatever is left. */
async function endProcessGroup(pgid: number): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pgid, signal)
    } catch {
      // Already gone.
    }
  }
  signalGroup('SIGTERM')
  const deadline = Date.now() + 5_000
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  if (groupAlive(pgid)) signalGroup('SIGKILL')
}

/**
 * `npx tsx scripts/start.ts --port N` in its own process group, resolved with the URL it prints once the
 * page is built and served. The group is ended by `stop`, or when this process exits.
 */
export async function startLiveServer(
  args: readonly string[] = [],
): Promise<LiveServer & { stop: () => Promise<void> }> {
  const port = await freeLoopbackPort()
  // A page of its own per server: test files run side by side and must not rebuild each other's page.
  const pageDir = await mkdtemp(join(tmpdir(), 'live-page-'))
  // vitest sets NODE_ENV=test; `npm start` builds with whatever the shell has, normally nothing.
  const { NODE_ENV: _nodeEnv, ...env } = process.env
  const child = spawn(
    'npx',
    ['tsx', 'scripts/start.ts', '--port', String(port), '--page-dir', pageDir, ...args],
    {
      cwd: repoDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  const pgid = child.pid
  if (pgid === undefined) throw new Error('npx tsx scripts/start.ts did not start')
  const endOnExit = () => {
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL')
  }
  process.once('exit', endOnExit)
  const stop = async () => {
    process.off('exit', endOnExit)
    await endProcessGroup(pgid)
    await rm(pageDir, { recursive: true, force: true })
  }

  const output: string[] = []
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('no URL printed in 90 s')), 90_000)
    function fail(error: Error) {
      clearTimeout(timer)
      reject(new Error(`${error.message}\n--- npm start output ---\n${output.join('')}`))
    }
    child.stdout.setEncoding('utf8')
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => output.push(chunk))
    child.stdout.on('data', (chunk: string) => {
      output.push(chunk)
      const printed = /simulator and live page: (http:\/\/127\.0\.0\.1:\d+)\//.exec(output.join(''))
      if (printed?.[1]) {
        clearTimeout(timer)
        resolve(printed[1])
      }
    })
    child.once('error', fail)
    child.once('exit', (code, signal) =>
      fail(new Error(`npm start exited (${code ?? signal}) before serving`)),
    )
  }).catch(async (error: unknown) => {
    await stop()
    throw error
  })
  return { url, stop }
}

export async function launchChromium(): Promise<Browser> {
  if (!hasChromium)
    throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing (apt-get install -y chromium)`)
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

export interface LivePage {
  server: LiveServer
  page: Page
  /** Uncaught exceptions thrown in the page so far. */
  pageErrors: string[]
}

/**
 * `it` with the fixtures of a browser test: one `npm start` server (with `args`) and one Chromium per
 * file, and a fresh page per test, connected, that records its uncaught errors.
 */
export function browserTestWith(args: readonly string[] = []) {
  return (
    it
      // eslint-disable-next-line no-empty-pattern
      .extend('server', { scope: 'file' }, async ({}, { onCleanup }): Promise<LiveServer> => {
        const server = await startLiveServer(args)
        onCleanup(server.stop)
        return { url: server.url }
      })
      // eslint-disable-next-line no-empty-pattern
      .extend('browser', { scope: 'file' }, async ({}, { onCleanup }) => {
        const browser = await launchChromium()
        onCleanup(() => browser.close())
        return browser
      })
      .extend('live', async ({ browser, server }, { onCleanup }): Promise<LivePage> => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
        onCleanup(() => context.close())
        const page = await context.newPage()
        const pageErrors: string[] = []
        page.on('pageerror', (error) => pageErrors.push(error.message))
        await openLivePage(page, server)
        return { server, page, pageErrors }
      })
  )
}

/** Loads the page and waits until its socket is connected. */
export async function openLivePage(page: Page, server: LiveServer): Promise<void> {
  await page.goto(`${server.url}/`)
  await expect
    .poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: SETTLE_TIMEOUT_MS })
    .toBe('connected')
}

export const skipWithoutBrowser = !hasChromium && !requireBrowser

export interface Delivery {
  /** Default 'in_order'; 'double' is 6.12-6.13's every-event-twice. */
  mode?: 'in_order' | 'double'
  cancelRace: boolean
  chaos: {
    seed: number
    reorderWindow: number
    duplicateRate: number
    dropRate: number
    maxDelayMs: number
  } | null
}

/** Fills the page's delivery form and applies it, as a user would. */
export async function applyDelivery(page: Page, delivery: Delivery): Promise<string> {
  const form = page.getByTestId('delivery-form')
  await form.getByTestId(`mode-${delivery.mode ?? 'in_order'}`).check()
  await form.getByTestId('events-before-response').setChecked(false)
  await form.getByTestId('cancel-race').setChecked(delivery.cancelRace)
  const completes = form.getByTestId('cancel-race-completes')
  if ((await completes.count()) > 0) await completes.setChecked(false)
  await form.getByTestId('chaos').setChecked(delivery.chaos !== null)
  for (const [field, value] of Object.entries(delivery.chaos ?? {})) {
    await form.getByTestId(`chaos-${field}`).fill(String(value))
  }
  if (delivery.chaos) await form.getByTestId('chaos-disconnectRate').fill('0')
  await form.getByTestId('delivery-apply').click()
  const result = form.getByTestId('delivery-result')
  await result.waitFor()
  return (await result.textContent()) ?? ''
}

/** Picks a scenario, enqueues one run through the page, and returns the item id the page reports. */
export async function enqueueThroughPage(page: Page, scenario: string): Promise<number> {
  await page.getByTestId('scenario-select').selectOption(scenario)
  await page.getByTestId('runs-input').fill('1')
  await page.getByTestId('enqueue-button').click()
  const result = page.getByTestId('enqueue-result')
  await result.waitFor()
  const enqueued = /enqueued item\(s\) (\d+)$/.exec((await result.textContent()) ?? '')
  expect(enqueued, 'the page names the enqueued item').not.toBeNull()
  return Number(enqueued?.[1])
}

/** Waits until the page shows the item in a terminal status and its reconciliation done. */
export async function waitUntilSettledInPage(page: Page, itemId: number): Promise<string> {
  const status = () => page.getByTestId(`queue-item-${itemId}`).getAttribute('data-status')
  await expect.poll(status, { timeout: SETTLE_TIMEOUT_MS }).toMatch(/^(completed|failed|canceled)$/)
  await expect
    .poll(() => page.getByTestId(`reconciliation-${itemId}`).getAttribute('data-phase'), {
      timeout: SETTLE_TIMEOUT_MS,
    })
    .toBe('done')
  return (await status()) ?? ''
}

export async function persistedItem(server: LiveServer, itemId: number): Promise<SessionQueueItem> {
  const response = await fetch(`${server.url}/api/v1/queue/default/i/${itemId}`)
  expect(response.status).toBe(200)
  const validated = validateSessionQueueItem(await response.json())
  if (!validated.ok) throw new Error(`persisted item ${itemId}: ${JSON.stringify(validated.issues)}`)
  return validated.value
}

export interface NodeView {
  status: string | null
  outputs: number
}

/** What the persisted session says of each source node: its status and how many results its copies saved. */
export function persistedNodes(item: SessionQueueItem): Record<string, NodeView> {
  const results = item.session.results ?? {}
  const errors = item.session.errors ?? {}
  return Object.fromEntries(
    Object.entries(item.session.source_prepared_mapping ?? {}).map(([sourceId, copies]) => {
      const completed = copies.filter((id) => Object.hasOwn(results, id)).length
      const status = copies.some((id) => Object.hasOwn(errors, id))
        ? 'FAILED'
        : completed === copies.length
          ? 'COMPLETED'
          : 'CANCELED'
      return [sourceId, { status, outputs: completed }]
    }),
  )
}

/** The node cards of the run panel, by source node id. */
export async function shownNodes(run: Locator): Promise<Record<string, NodeView>> {
  const cards = await run.locator('[data-testid^="node-"]').all()
  const entries = await Promise.all(
    cards.map(async (card) => {
      const testId = (await card.getAttribute('data-testid')) ?? ''
      const view: NodeView = {
        status: await card.getAttribute('data-status'),
        outputs: Number(await card.getAttribute('data-output-count')),
      }
      return [testId.slice('node-'.length), view] as const
    }),
  )
  return Object.fromEntries(entries)
}

/**
 * Saves `test-output/NAME.png`; with UPDATE_DOCS_SCREENSHOT=1 also `docs/NAME.png`, the picture the README
 * shows (refreshed only on request, so a test run leaves the tree clean).
 */
export async function saveScreenshots(page: Page, name: string, target?: Locator): Promise<void> {
  await mkdir(`${repoDir}test-output`, { recursive: true })
  // A whole-page picture starts at the header, wherever the test's clicks scrolled to.
  if (!target) await page.evaluate(() => window.scrollTo(0, 0))
  const shoot = (path: string) => (target ? target.screenshot({ path }) : page.screenshot({ path }))
  await shoot(`${repoDir}test-output/${name}.png`)
  if (process.env.UPDATE_DOCS_SCREENSHOT === '1') await shoot(`${repoDir}docs/${name}.png`)
}
