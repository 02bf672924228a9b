import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import type { SessionQueueItem } from '../../src'
import { persistedItem, SETTLE_TIMEOUT_MS, type LiveServer } from './harness'

/*
 * Page helpers of the session tests (reload, users, workflow call, restart), on top of the shared harness.
 */

const TERMINAL = /^(completed|failed|canceled)$/

/** The names of the images a persisted session's results hold. */
export function persistedImageNames(item: SessionQueueItem): string[] {
  return Object.values(item.session.results ?? {}).flatMap((output) => {
    const image = (output as { image?: { image_name?: unknown } }).image
    return typeof image?.image_name === 'string' ? [image.image_name] : []
  })
}

/** The image names the gallery shows. */
export async function galleryImageNames(page: Page): Promise<string[]> {
  const images = await page.getByTestId('gallery').locator('img[data-image-name]').all()
  return Promise.all(images.map(async (image) => (await image.getAttribute('data-image-name')) ?? ''))
}

export async function waitUntilConnected(page: Page): Promise<void> {
  await expect
    .poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: SETTLE_TIMEOUT_MS })
    .toBe('connected')
}

/** Picks a user in the page's user switch and waits until the socket is back with that user's token. */
export async function switchUserOnPage(page: Page, userId: string): Promise<void> {
  await page.getByTestId('user-switch').selectOption(userId)
  await expect.poll(() => page.getByTestId('user-switch').inputValue()).toBe(userId)
  await waitUntilConnected(page)
}

/** Waits until the server has saved the item in a terminal status, and returns it (as the admin sees it). */
export async function settledOnServer(server: LiveServer, itemId: number): Promise<SessionQueueItem> {
  await expect
    .poll(async () => (await persistedItem(server, itemId)).status, { timeout: SETTLE_TIMEOUT_MS })
    .toMatch(TERMINAL)
  // A cancel saves its last results a little later; every other stop is saved before its status goes out.
  return persistedItem(server, itemId)
}

/** Enqueues a scenario as the user of `token` (null: none, the system user) through the control API. */
export async function enqueueAs(
  server: LiveServer,
  token: string | null,
  scenario: string,
  params: { steps?: number } = {},
): Promise<number> {
  const response = await fetch(`${server.url}/sim/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ scenario, params }),
  })
  expect(response.status).toBe(200)
  const { item_ids } = (await response.json()) as { item_ids: number[] }
  return item_ids[0] as number
}

/** The queue rows' ids and owners (`data-owner`) as the page shows them. */
export async function queueRows(page: Page): Promise<{ itemId: number; owner: string | null }[]> {
  const rows = await page.getByTestId('queue').locator('[data-testid^="queue-item-"]').all()
  return Promise.all(
    rows.map(async (row) => ({
      itemId: Number(((await row.getAttribute('data-testid')) ?? '').slice('queue-item-'.length)),
      owner: await row.getAttribute('data-owner'),
    })),
  )
}

/**
 * From now on, every `data-status` each queue row takes, in order (a MutationObserver: a status held for a
 * few hundred ms, like a parent waiting for its child, is not missed by polling).
 */
export async function recordQueueStatuses(page: Page): Promise<() => Promise<Record<string, string[]>>> {
  await page.evaluate(() => {
    const seen: Record<string, string[]> = {}
    const record = () => {
      for (const row of Array.from(document.querySelectorAll('[data-testid^="queue-item-"]'))) {
        const id = row.getAttribute('data-testid') ?? ''
        const status = row.getAttribute('data-status') ?? ''
        const list = (seen[id] ??= [])
        if (list.at(-1) !== status) list.push(status)
      }
    }
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-status'],
    })
    ;(window as unknown as { queueStatuses: typeof seen }).queueStatuses = seen
  })
  return () =>
    page.evaluate(() => (window as unknown as { queueStatuses: Record<string, string[]> }).queueStatuses)
}
