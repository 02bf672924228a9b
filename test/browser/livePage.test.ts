import { describe, expect } from 'vitest'
import {
  applyDelivery,
  BROWSER_TEST_TIMEOUT_MS,
  browserTestWith,
  enqueueThroughPage,
  persistedItem,
  persistedNodes,
  saveScreenshots,
  SETTLE_TIMEOUT_MS,
  shownNodes,
  skipWithoutBrowser,
  waitUntilSettledInPage,
  type Delivery,
} from './harness'

/*
 * The live page driven through its own controls: what it shows at the end of a run is checked against
 * what the server persisted.
 */

const browserTest = browserTestWith()

describe('the live page served by npm start, in Chromium', () => {
  browserTest.skipIf(skipWithoutBrowser)(
    "a fan-out workflow in chaos mode ends with every node's persisted status and outputs",
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const chaos = { seed: 7, reorderWindow: 4, duplicateRate: 0.2, dropRate: 0.1, maxDelayMs: 30 }
      expect(await applyDelivery(page, { cancelRace: false, chaos })).toBe(
        'applied: in_order + chaos (seed 7)',
      )
      const applied = (await (await fetch(`${server.url}/sim/delivery`)).json()) as Delivery
      expect(applied.chaos).toMatchObject(chaos)

      const itemId = await enqueueThroughPage(page, 'fanout')
      // Chaos may drop the item's `in_progress` event, so the run is picked in the queue rather than followed.
      await page.getByTestId(`queue-item-${itemId}`).click()
      const run = page.locator(`[data-testid="run"][data-item-id="${itemId}"]`)
      await run.locator('[data-testid^="node-"]').first().waitFor()
      const shownStatus = await waitUntilSettledInPage(page, itemId)

      const persisted = await persistedItem(server, itemId)
      expect(shownStatus).toBe(persisted.status)
      const expected = persistedNodes(persisted)
      // integer_collection, iterate, denoise and l2i: the fan-out has more than one copy to count.
      expect(Object.keys(expected)).toHaveLength(4)
      expect(Math.max(...Object.values(expected).map((node) => node.outputs))).toBeGreaterThan(1)
      expect(await shownNodes(run)).toEqual(expected)

      // The header's server counts are polled: the screenshot waits until they include this run.
      const counts = (await (await fetch(`${server.url}/api/v1/queue/default/status`)).json()) as {
        queue: { completed: number }
      }
      await expect
        .poll(() => page.getByTestId('server-queue').textContent(), { timeout: SETTLE_TIMEOUT_MS })
        .toContain(`0 running · ${counts.queue.completed} completed`)
      await saveScreenshots(page, 'live-page')
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    'a canceled run leaves no node IN_PROGRESS',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      // Cancel race: the step running at the cancel still reports progress after `canceled`.
      expect(await applyDelivery(page, { cancelRace: true, chaos: null })).toBe('applied: in_order')

      const itemId = await enqueueThroughPage(page, 'long')
      // In order, the page follows the live run: its nodes show without picking the item in the queue.
      const run = page.locator(`[data-testid="run"][data-item-id="${itemId}"]`)
      const running = run.locator('[data-testid^="node-"][data-status="IN_PROGRESS"]')
      await running.first().waitFor({ timeout: SETTLE_TIMEOUT_MS })
      const interrupted = (await running.first().getAttribute('data-testid')) ?? ''

      await run.getByTestId('cancel-button').click()
      expect(await waitUntilSettledInPage(page, itemId)).toBe('canceled')
      expect((await persistedItem(server, itemId)).status).toBe('canceled')

      // The interrupted step's late progress reached the page and was ignored: the item is terminal (T1).
      await page.getByTestId(`decisions-${itemId}`).locator('[data-rule="T1"]').waitFor()
      expect(await page.locator('[data-testid^="node-"][data-status="IN_PROGRESS"]').count()).toBe(0)
      expect(await run.getByTestId(interrupted).getAttribute('data-status')).toBe('CANCELED')
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )
})
