import type { Page } from 'playwright-core'
import { describe, expect } from 'vitest'
import type { SessionQueueItem } from '../../src'
import {
  applyDelivery,
  BROWSER_TEST_TIMEOUT_MS,
  browserTestWith,
  enqueueThroughPage,
  persistedItem,
  saveScreenshots,
  SETTLE_TIMEOUT_MS,
  skipWithoutBrowser,
  waitUntilSettledInPage,
  type Delivery,
} from './harness'

/*
 * The naive client beside the engine on the live page: what a UI without the engine would show, compared
 * on settled items, and the engine's gallery and timeline checked against what the server persisted.
 */

const browserTest = browserTestWith()

/** The image outputs the server persisted for the item, by name. */
function persistedImageNames(item: SessionQueueItem): string[] {
  return Object.values(item.session.results ?? {}).flatMap((result) => {
    const name = (result as { type?: unknown; image?: { image_name?: unknown } }).image?.image_name
    return result.type === 'image_output' && typeof name === 'string' ? [name] : []
  })
}

interface ShownImage {
  name: string
  naturalWidth: number
}

/** The engine gallery's images of one item (the page also shows earlier runs, learned on connect). */
async function galleryImagesOf(page: Page, itemId: number): Promise<ShownImage[]> {
  return page
    .getByTestId('gallery')
    .locator('img')
    .evaluateAll(
      (images, id) =>
        (images as HTMLImageElement[])
          .filter((image) => image.closest('button')?.title.startsWith(`#${id} `))
          .map((image) => ({ name: image.dataset.imageName ?? '', naturalWidth: image.naturalWidth })),
      itemId,
    )
}

/** Waits until the gallery holds exactly the persisted images of the item, each loaded. */
async function expectGalleryIsPersisted(page: Page, itemId: number, persisted: SessionQueueItem) {
  const expected = persistedImageNames(persisted).sort()
  expect(expected.length).toBeGreaterThan(1)
  await expect
    .poll(async () => (await galleryImagesOf(page, itemId)).map((image) => image.name).sort(), {
      timeout: SETTLE_TIMEOUT_MS,
    })
    .toEqual(expected)
  await expect
    .poll(async () => (await galleryImagesOf(page, itemId)).every((image) => image.naturalWidth > 0), {
      timeout: SETTLE_TIMEOUT_MS,
    })
    .toBe(true)
}

const count = async (page: Page, testId: string, attribute = 'data-count') =>
  Number(await page.getByTestId(testId).getAttribute(attribute))

/** Runs the fan-out workflow under `delivery` and waits until the engine settles it. */
async function settledFanout(page: Page, delivery: Delivery): Promise<number> {
  await applyDelivery(page, delivery)
  const itemId = await enqueueThroughPage(page, 'fanout')
  // Chaos may drop the item's `in_progress`: the item is picked in the queue rather than followed.
  await page.getByTestId(`queue-item-${itemId}`).click()
  await waitUntilSettledInPage(page, itemId)
  return itemId
}

/** The timeline of the settled item: every mark names its rule, some were ignored, reconciliation done. */
async function expectTimelineWithIgnoredMarks(page: Page, itemId: number) {
  const timeline = page.locator(`[data-testid="timeline"][data-item-id="${itemId}"]`)
  await timeline.getByTestId('timeline-phase').and(page.locator('[data-phase="done"]')).first().waitFor()
  const rules = await timeline
    .getByTestId('timeline-mark')
    .evaluateAll((marks) =>
      marks.map((mark) => [mark.getAttribute('data-rule'), mark.getAttribute('data-applied')]),
    )
  expect(rules.length).toBeGreaterThan(0)
  expect(rules.every(([rule]) => typeof rule === 'string' && /^[A-Z]\d/.test(rule))).toBe(true)
  expect(rules.some(([, applied]) => applied === 'false')).toBe(true)
  const durations = await timeline
    .getByTestId('timeline-node')
    .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-duration-ms')))
  expect(durations.length).toBeGreaterThan(0)
}

describe('the naive client beside the engine, in Chromium', () => {
  browserTest.skipIf(skipWithoutBrowser)(
    'chaos: the naive client differs, the engine gallery holds exactly what the server persisted',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const chaos = { seed: 7, reorderWindow: 4, duplicateRate: 0.3, dropRate: 0.15, maxDelayMs: 30 }
      const itemId = await settledFanout(page, { cancelRace: false, chaos })
      await expect
        .poll(() => count(page, 'naive-panel', 'data-differences'), { timeout: SETTLE_TIMEOUT_MS })
        .toBeGreaterThan(0)
      await expectGalleryIsPersisted(page, itemId, await persistedItem(server, itemId))
      await expectTimelineWithIgnoredMarks(page, itemId)
      // The README's pictures of what the engine changes: the two clients side by side, and the timeline.
      await saveScreenshots(page, 'naive-panel', page.getByTestId('naive-panel'))
      await saveScreenshots(page, 'timeline', page.getByTestId('timeline'))
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    '6.13 double delivery: the naive client shows every image twice, the engine once',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const itemId = await settledFanout(page, { mode: 'double', cancelRace: false, chaos: null })
      const persisted = await persistedItem(server, itemId)
      const images = persistedImageNames(persisted).length
      await expect
        .poll(() => count(page, 'naive-diff-image_duplicate'), { timeout: SETTLE_TIMEOUT_MS })
        .toBe(images)
      expect(await count(page, 'naive-panel', 'data-differences')).toBeGreaterThan(0)
      const sides = page.getByTestId('naive-side-images')
      expect(Number(await sides.getAttribute('data-naive'))).toBe(2 * images)
      expect(Number(await sides.getAttribute('data-engine'))).toBe(images)
      await expectGalleryIsPersisted(page, itemId, persisted)
      await expectTimelineWithIgnoredMarks(page, itemId)
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    'in order: once the run settles, the naive client and the engine agree',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const itemId = await settledFanout(page, { cancelRace: false, chaos: null })
      await expect
        .poll(() => count(page, 'naive-panel', 'data-compared'), { timeout: SETTLE_TIMEOUT_MS })
        .toBeGreaterThan(0)
      await expect
        .poll(() => count(page, 'naive-panel', 'data-differences'), { timeout: SETTLE_TIMEOUT_MS })
        .toBe(0)
      await expectGalleryIsPersisted(page, itemId, await persistedItem(server, itemId))
      const marks = page.locator(
        `[data-testid="timeline"][data-item-id="${itemId}"] [data-testid="timeline-mark"]`,
      )
      expect(await marks.count()).toBeGreaterThan(0)
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )
})
