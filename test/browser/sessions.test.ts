import type { Page } from 'playwright-core'
import { describe, expect } from 'vitest'
import {
  BROWSER_TEST_TIMEOUT_MS,
  browserTestWith,
  enqueueThroughPage,
  openLivePage,
  persistedItem,
  persistedNodes,
  SETTLE_TIMEOUT_MS,
  shownNodes,
  skipWithoutBrowser,
  waitUntilSettledInPage,
  type LiveServer,
} from './harness'
import {
  enqueueAs,
  galleryImageNames,
  persistedImageNames,
  queueRows,
  recordQueueStatuses,
  settledOnServer,
  switchUserOnPage,
  waitUntilConnected,
} from './sessionHelpers'

/*
 * What the page keeps across a session's events, against the server `npm start` runs (snapshot endpoints
 * on, users alice, bob and admin): a reload, a user switch, a workflow call that waits, and a restart
 * that wipes the database. The tests share one server and run in order; each opens a page of its own.
 */

const browserTest = browserTestWith()

/** The item's row shows the persisted status, and its run panel the persisted nodes and outputs. */
async function expectShownAsPersisted(page: Page, server: LiveServer, itemId: number): Promise<void> {
  const persisted = await persistedItem(server, itemId)
  await expect
    .poll(() => page.getByTestId(`queue-item-${itemId}`).getAttribute('data-status'), {
      timeout: SETTLE_TIMEOUT_MS,
    })
    .toBe(persisted.status)
  await page.getByTestId(`queue-item-${itemId}`).click()
  const run = page.locator(`[data-testid="run"][data-item-id="${itemId}"]`)
  await expect.poll(() => shownNodes(run), { timeout: SETTLE_TIMEOUT_MS }).toEqual(persistedNodes(persisted))
  const images = persistedImageNames(persisted)
  await expect
    .poll(() => galleryImageNames(page), { timeout: SETTLE_TIMEOUT_MS })
    .toEqual(expect.arrayContaining(images))
}

describe('sessions on the live page: reload, users, workflow call, restart', () => {
  browserTest.skipIf(skipWithoutBrowser)(
    'a reload lists the recent runs with their persisted status and outputs, and follows the running one',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const fanout = await enqueueThroughPage(page, 'fanout')
      await waitUntilSettledInPage(page, fanout)
      const failing = await enqueueThroughPage(page, 'node_error')
      await waitUntilSettledInPage(page, failing)
      // Long enough (40 s) to still run after the reload; the page's own user, so the page follows it.
      const running = await enqueueAs(server, null, 'long', { steps: 1000 })
      await expect
        .poll(() => page.getByTestId(`queue-item-${running}`).getAttribute('data-status'), {
          timeout: SETTLE_TIMEOUT_MS,
        })
        .toBe('in_progress')

      await page.reload()
      await waitUntilConnected(page)
      // Followed: the run panel shows the running item without it being picked.
      const followed = page.locator(`[data-testid="run"][data-item-id="${running}"]`)
      await followed.waitFor({ timeout: SETTLE_TIMEOUT_MS })
      expect(await page.getByTestId(`queue-item-${running}`).getAttribute('data-status')).toBe('in_progress')
      await followed.getByTestId('cancel-button').click()
      expect(await waitUntilSettledInPage(page, running)).toBe('canceled')

      for (const itemId of [fanout, failing]) await expectShownAsPersisted(page, server, itemId)
      // Learned on connect, not over the socket: the gallery says so.
      const hydrated = page.getByTestId('gallery').locator('img[data-via="hydration"]')
      expect(await hydrated.count()).toBeGreaterThanOrEqual(4)
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    'a user switch shows only what that user may see as theirs, and enqueues as that user',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      // Without a token the page is the single-user system user.
      expect(await page.getByTestId('user-switch').inputValue()).toBe('system')
      const systems = await enqueueThroughPage(page, 'simple')
      await waitUntilSettledInPage(page, systems)
      expect(await page.getByTestId(`queue-item-${systems}`).getAttribute('data-owner')).toBe('own')

      await switchUserOnPage(page, 'alice')
      const alices = await enqueueThroughPage(page, 'fanout')
      expect(await waitUntilSettledInPage(page, alices)).toBe('completed')
      expect((await persistedItem(server, alices)).user_id).toBe('alice')
      expect(await page.getByTestId(`queue-item-${alices}`).getAttribute('data-owner')).toBe('own')
      await expectShownAsPersisted(page, server, alices)

      // Bob's run reaches Alice only as redacted companions: it is never shown as hers.
      const bobs = await enqueueAs(server, 'tok-bob', 'node_error')
      await settledOnServer(server, bobs)
      const aliceRows = await queueRows(page)
      expect(aliceRows.map((row) => row.itemId)).toContain(alices)
      expect(aliceRows.map((row) => row.itemId)).not.toContain(systems)
      for (const row of aliceRows) {
        const owner = (await persistedItem(server, row.itemId)).user_id
        expect(row.owner, `item ${row.itemId} of ${owner}`).toBe(owner === 'alice' ? 'own' : 'other')
      }

      // The admin sees everyone's runs in full, each marked as another user's.
      await switchUserOnPage(page, 'admin')
      for (const itemId of [systems, alices, bobs]) {
        const row = page.getByTestId(`queue-item-${itemId}`)
        await expect
          .poll(() => row.getAttribute('data-status'), { timeout: SETTLE_TIMEOUT_MS })
          .toBe((await persistedItem(server, itemId)).status)
        expect(await row.getAttribute('data-owner')).toBe('other')
      }
      expect(await page.getByTestId(`queue-item-${alices}`).textContent()).toContain(
        "another user's item (alice)",
      )
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    'a workflow call shows its parent waiting while the child runs, then completed',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const statuses = await recordQueueStatuses(page)
      const parent = await enqueueThroughPage(page, 'workflow_call')
      expect(await waitUntilSettledInPage(page, parent)).toBe('completed')
      const persisted = await persistedItem(server, parent)
      const call = Object.values(persisted.session.results ?? {}).find(
        (output) => output.type === 'workflow_call_output',
      ) as { child_item_id?: number } | undefined
      const child = call?.child_item_id
      expect(child, 'the call names its child item').toBeTypeOf('number')
      await waitUntilSettledInPage(page, child as number)

      const seen = await statuses()
      expect(seen[`queue-item-${parent}`]).toEqual(
        expect.arrayContaining(['in_progress', 'waiting', 'completed']),
      )
      const parentStatuses = seen[`queue-item-${parent}`] ?? []
      expect(parentStatuses.indexOf('waiting')).toBeLessThan(parentStatuses.lastIndexOf('in_progress'))
      expect(parentStatuses.at(-1)).toBe('completed')
      expect(seen[`queue-item-${child}`]?.at(-1)).toBe('completed')
      await expectShownAsPersisted(page, server, parent)
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    'after a restart with a wiped database the new runs under reused ids show their own status and outputs',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      // Ids 1 and 2 exist before the restart whichever tests ran first (a fresh page hydrates them).
      for (const scenario of ['fanout', 'simple']) {
        await waitUntilSettledInPage(page, await enqueueThroughPage(page, scenario))
      }
      const before = await persistedItem(server, 1)
      await page.getByTestId('queue-item-1').waitFor()
      // Item 1 stays picked across the restart: the panel must move to the new run under its id.
      await page.getByTestId('queue-item-1').click()

      await page.getByTestId('restart-button').click()
      await page.getByTestId('restart-result').waitFor()
      await expect
        .poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: SETTLE_TIMEOUT_MS })
        .not.toBe('connected')
      await waitUntilConnected(page)

      const failing = await enqueueThroughPage(page, 'node_error')
      expect(failing).toBe(1)
      expect(await waitUntilSettledInPage(page, failing)).toBe('failed')
      const simple = await enqueueThroughPage(page, 'simple')
      expect(simple).toBe(2)
      expect(await waitUntilSettledInPage(page, simple)).toBe('completed')

      const after = await persistedItem(server, 1)
      expect(after.session_id).not.toBe(before.session_id)
      const run = page.locator('[data-testid="run"][data-item-id="1"]')
      await expect.poll(() => shownNodes(run), { timeout: SETTLE_TIMEOUT_MS }).toEqual(persistedNodes(after))
      for (const itemId of [failing, simple]) await expectShownAsPersisted(page, server, itemId)

      // A reload sees only the new database.
      await openLivePage(page, server)
      for (const itemId of [failing, simple]) await expectShownAsPersisted(page, server, itemId)
      expect((await queueRows(page)).map((row) => row.itemId).sort()).toEqual([1, 2])
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )
})
