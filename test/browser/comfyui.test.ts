import type { ConsoleMessage, Locator, Page } from 'playwright-core'
import { describe, expect } from 'vitest'
import {
  BROWSER_TEST_TIMEOUT_MS,
  browserTestWith,
  saveScreenshots,
  openLivePage,
  SETTLE_TIMEOUT_MS,
  skipWithoutBrowser,
  type LiveServer,
} from './harness'

/*
 * `npm start -- --protocol comfyui`: the page in ComfyUI mode, in front of the ComfyUI simulator. A run
 * queued through the page's form ends with every node of its graph COMPLETED and its images in the
 * gallery, loaded through `/view`; with history written late and the socket cut mid-run, the same, each
 * image once; nodes served from cache are marked; a reload re-hears a run (same clientId). Each check is
 * against what the server persisted (`GET /history/{id}`). The tests share one server and run in order.
 */

const browserTest = browserTestWith(['--protocol', 'comfyui'])

/** The nodes of the page's default workflow. */
const NODE_IDS = ['3', '4', '5', '6', '7', '8', '9']

interface Delivery {
  historyLag: number
  dropAfterStart: number | null
  cachedNodes: boolean
}

const IN_ORDER: Delivery = { historyLag: 0, dropAfterStart: null, cachedNodes: false }

/** Console errors from now on (a failed resource load is one too), as text. */
function recordConsoleErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  return errors
}

/** Loads the page again with its console recorded from the start (same tab: same sessionStorage). */
async function reopenRecorded(page: Page, server: LiveServer): Promise<string[]> {
  const errors = recordConsoleErrors(page)
  await openLivePage(page, server)
  return errors
}

/** Fills the page's delivery form and applies it, as a user would; returns what the page says. */
async function applyDelivery(page: Page, delivery: Delivery): Promise<string> {
  const form = page.getByTestId('comfy-delivery-form')
  await form.getByTestId('comfy-historyLag').fill(String(delivery.historyLag))
  await form
    .getByTestId('comfy-dropAfterStart')
    .fill(delivery.dropAfterStart === null ? '' : String(delivery.dropAfterStart))
  await form.getByTestId('comfy-blockedNode').fill('')
  await form.getByTestId('comfy-chaosDrop').fill('0')
  await form.getByTestId('comfy-cachedNodes').setChecked(delivery.cachedNodes)
  await form.getByTestId('comfy-delivery-apply').click()
  const result = form.getByTestId('comfy-delivery-result')
  await result.waitFor()
  return (await result.textContent()) ?? ''
}

/** Queues the default workflow through the page's form; returns the item and prompt ids it reports. */
async function submitThroughPage(page: Page, settings: { seed: number; steps: number; batchSize: number }) {
  const form = page.getByTestId('comfy-run-form')
  await form.getByTestId('comfy-seed').fill(String(settings.seed))
  await form.getByTestId('comfy-steps').fill(String(settings.steps))
  await form.getByTestId('comfy-batchSize').fill(String(settings.batchSize))
  const result = form.getByTestId('comfy-submit-result')
  const before = (await result.count()) > 0 ? await result.getAttribute('data-prompt-id') : null
  await form.getByTestId('comfy-submit').click()
  await expect.poll(() => result.getAttribute('data-prompt-id')).not.toBe(before)
  expect(await result.getAttribute('data-accepted')).toBe('true')
  const itemId = Number(await result.getAttribute('data-item-id'))
  const promptId = (await result.getAttribute('data-prompt-id')) ?? ''
  expect(itemId).toBeGreaterThan(0)
  return { itemId, promptId }
}

interface PersistedImage {
  filename: string
  subfolder: string
  type: string
}

interface PersistedPrompt {
  status: { status_str: string; completed: boolean }
  outputs: Record<string, { images?: PersistedImage[] }>
  prompt: [number, string, Record<string, { class_type: string }>, ...unknown[]]
}

/** The history entry of a prompt once the server wrote it. */
async function persistedPrompt(server: LiveServer, promptId: string): Promise<PersistedPrompt> {
  const read = async () => {
    const response = await fetch(`${server.url}/history/${promptId}`)
    expect(response.status).toBe(200)
    return ((await response.json()) as Record<string, PersistedPrompt>)[promptId] ?? null
  }
  await expect.poll(read, { timeout: SETTLE_TIMEOUT_MS }).not.toBeNull()
  return (await read()) as PersistedPrompt
}

/** The images the prompt's SaveImage nodes persisted, as the gallery names them. */
function savedImages(entry: PersistedPrompt): string[] {
  const nodes = entry.prompt[2]
  return Object.entries(entry.outputs)
    .filter(([nodeId]) => nodes[nodeId]?.class_type === 'SaveImage')
    .flatMap(([, output]) => (output.images ?? []).map((image) => image.filename))
}

const runOf = (page: Page, itemId: number) => page.locator(`[data-testid="run"][data-item-id="${itemId}"]`)
const nodeOf = (run: Locator, nodeId: string) => run.locator(`[data-testid="node-${nodeId}"]`)

/** Every node of the default workflow COMPLETED on the item's graph, and the item settled. */
async function waitUntilCompletedInPage(page: Page, itemId: number): Promise<Locator> {
  await page.getByTestId(`queue-item-${itemId}`).click()
  const run = runOf(page, itemId)
  await expect
    .poll(() => page.getByTestId(`queue-item-${itemId}`).getAttribute('data-status'), {
      timeout: SETTLE_TIMEOUT_MS,
    })
    .toBe('completed')
  for (const nodeId of NODE_IDS)
    await expect
      .poll(() => nodeOf(run, nodeId).getAttribute('data-status'), { timeout: SETTLE_TIMEOUT_MS })
      .toBe('COMPLETED')
  await expect
    .poll(() => run.getByTestId('reconciliation-phase').textContent(), { timeout: SETTLE_TIMEOUT_MS })
    .toBe('done')
  return run
}

/** The filenames the gallery shows for one item. */
async function galleryFilenames(page: Page, itemId: number): Promise<string[]> {
  const images = await page.getByTestId('gallery').locator(`img[data-item-id="${itemId}"]`).all()
  return Promise.all(images.map(async (image) => (await image.getAttribute('data-filename')) ?? ''))
}

/** Each image loaded: `complete` with a width, served by the server's `/view`. */
async function expectLoaded(images: Locator): Promise<void> {
  for (const image of await images.all()) {
    await image.scrollIntoViewIfNeeded()
    expect(await image.getAttribute('src')).toMatch(/^\/view\?filename=/)
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)), {
        timeout: SETTLE_TIMEOUT_MS,
      })
      .toBeGreaterThan(0)
  }
}

describe('the live page against ComfyUI (npm start -- --protocol comfyui), in Chromium', () => {
  browserTest.skipIf(skipWithoutBrowser)(
    'says ComfyUI; a run queued through the page ends with every node COMPLETED on its graph and its image in the gallery',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const consoleErrors = await reopenRecorded(page, server)
      expect(await page.getByTestId('connection').getAttribute('data-protocol')).toBe('ComfyUI')
      expect(await page.getByTestId('protocol').textContent()).toBe('ComfyUI')
      expect(await page.getByTestId('server-kind').getAttribute('data-kind')).toBe('comfyui-simulator')
      expect(await applyDelivery(page, IN_ORDER)).toBe('applied: in order')

      const { itemId, promptId } = await submitThroughPage(page, { seed: 11, steps: 6, batchSize: 1 })
      const run = await waitUntilCompletedInPage(page, itemId)
      // The graph is the prompt the page sent: its 7 nodes by class, its 9 links.
      const persisted = await persistedPrompt(server, promptId)
      expect(persisted.status.status_str).toBe('success')
      expect(await run.getByTestId('graph').getAttribute('data-node-count')).toBe('7')
      await expect.poll(() => run.locator('.react-flow__edge').count()).toBe(9)
      for (const [nodeId, node] of Object.entries(persisted.prompt[2]))
        expect(await nodeOf(run, nodeId).locator('.node-type').textContent()).toBe(node.class_type)
      // The SaveImage node shows its image, and so does the gallery, once, loaded.
      const saved = savedImages(persisted)
      expect(saved).toHaveLength(1)
      await expect.poll(() => galleryFilenames(page, itemId), { timeout: SETTLE_TIMEOUT_MS }).toEqual(saved)
      await expectLoaded(page.getByTestId('gallery').locator(`img[data-item-id="${itemId}"]`))
      await expectLoaded(nodeOf(run, '9').locator('img'))
      expect(await nodeOf(run, '9').getAttribute('data-output-count')).toBe('1')
      await saveScreenshots(page, 'comfyui-page')
      expect(pageErrors).toEqual([])
      expect(consoleErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    'history written late and the socket cut mid-run: every node still ends COMPLETED, one gallery image per saved image',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const consoleErrors = await reopenRecorded(page, server)
      // Cut at the run's 40th frame (of ~47 to SaveImage's `executed` with 8 steps): the socket is away
      // for the end of the run, its image and its terminal frames, then history is 300 ms late.
      expect(await applyDelivery(page, { historyLag: 300, dropAfterStart: 40, cachedNodes: false })).toBe(
        'applied: history lag 300 ms, drop after 40 frames',
      )
      const { itemId, promptId } = await submitThroughPage(page, { seed: 21, steps: 8, batchSize: 2 })
      await waitUntilCompletedInPage(page, itemId)
      const saved = savedImages(await persistedPrompt(server, promptId))
      expect(saved).toHaveLength(2)
      await expect
        .poll(async () => (await galleryFilenames(page, itemId)).sort(), { timeout: SETTLE_TIMEOUT_MS })
        .toEqual([...saved].sort())
      // The socket was cut mid-run and came back: what it missed meanwhile came from history.
      expect(await page.getByTestId('connection').textContent()).toMatch(/reconnected \d+×/)
      await expectLoaded(page.getByTestId('gallery').locator(`img[data-item-id="${itemId}"]`))
      // Settled for good: nothing more arrives, nothing is shown twice.
      await page.waitForTimeout(500)
      expect(await galleryFilenames(page, itemId)).toHaveLength(2)
      expect(await applyDelivery(page, IN_ORDER)).toBe('applied: in order')
      expect(pageErrors).toEqual([])
      expect(consoleErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    'nodes served from cache are marked cached; a reload re-hears a running prompt and draws its graph',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const consoleErrors = await reopenRecorded(page, server)
      expect(await applyDelivery(page, { ...IN_ORDER, cachedNodes: true })).toBe('applied: cached nodes')
      const first = await submitThroughPage(page, { seed: 31, steps: 4, batchSize: 1 })
      await waitUntilCompletedInPage(page, first.itemId)
      const again = await submitThroughPage(page, { seed: 31, steps: 4, batchSize: 1 })
      const run = await waitUntilCompletedInPage(page, again.itemId)
      await expect
        .poll(() => run.locator('[data-testid^="node-"][data-cached="true"]').count(), {
          timeout: SETTLE_TIMEOUT_MS,
        })
        .toBeGreaterThan(0)
      for (const card of await run.locator('[data-testid^="node-"][data-cached="true"]').all())
        expect(await card.getByTestId('cached').textContent()).toBe('cached')
      await page.getByTestId(`queue-item-${first.itemId}`).click()
      expect(await nodeOf(runOf(page, first.itemId), '3').getAttribute('data-cached')).toBe('false')
      expect(await applyDelivery(page, IN_ORDER)).toBe('applied: in order')

      // A long run (80 steps of 40 ms), reloaded while it runs: same tab, same clientId, same frames.
      const long = await submitThroughPage(page, { seed: 41, steps: 80, batchSize: 1 })
      // Picked earlier, so not followed: picked again.
      await page.getByTestId(`queue-item-${long.itemId}`).click()
      await expect
        .poll(() => nodeOf(runOf(page, long.itemId), '3').getAttribute('data-status'), {
          timeout: SETTLE_TIMEOUT_MS,
        })
        .toBe('IN_PROGRESS')
      const client = await page.getByTestId('server-kind').textContent()
      await page.reload()
      await expect
        .poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: SETTLE_TIMEOUT_MS })
        .toBe('connected')
      expect(await page.getByTestId('server-kind').textContent(), 'the same clientId').toBe(client)
      // The reloaded engine learns the running prompt from the queue, under an id of its own.
      const row = page.locator('[data-testid^="queue-item-"]').first()
      await row.waitFor({ timeout: SETTLE_TIMEOUT_MS })
      const itemId = Number(((await row.getAttribute('data-testid')) ?? '').slice('queue-item-'.length))
      const reloaded = await waitUntilCompletedInPage(page, itemId)
      expect(await reloaded.getByTestId('prompt-id').textContent()).toBe(long.promptId)
      expect(await reloaded.getByTestId('graph').getAttribute('data-node-count')).toBe('7')
      await expect.poll(() => reloaded.locator('.react-flow__edge').count()).toBe(9)
      const saved = savedImages(await persistedPrompt(server, long.promptId))
      await expect.poll(() => galleryFilenames(page, itemId), { timeout: SETTLE_TIMEOUT_MS }).toEqual(saved)
      expect(pageErrors).toEqual([])
      expect(consoleErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )
})
