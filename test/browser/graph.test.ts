import type { Locator } from 'playwright-core'
import { describe, expect } from 'vitest'
import type { SessionQueueItem } from '../../src'
import {
  applyDelivery,
  BROWSER_TEST_TIMEOUT_MS,
  browserTestWith,
  enqueueThroughPage,
  persistedItem,
  SETTLE_TIMEOUT_MS,
  skipWithoutBrowser,
  waitUntilSettledInPage,
} from './harness'

/*
 * The run panel draws the item's workflow graph with React Flow: every node and edge the server
 * persisted, a fan-out node's copies counted, every image output shown, and the nodes of a stopped run
 * that never ran marked so. Each check is against what the server persisted.
 */

const browserTest = browserTestWith()

interface PersistedGraph {
  nodes: Record<string, { type?: string }>
  edges: unknown[]
}

function graphOf(item: SessionQueueItem): PersistedGraph {
  const graph = (item.session as { graph?: PersistedGraph }).graph
  if (!graph) throw new Error(`item ${item.item_id} has no persisted graph`)
  return graph
}

/** The image names of the item's persisted image outputs. */
function imageNamesOf(item: SessionQueueItem): string[] {
  return Object.values(item.session.results ?? {}).flatMap((result) => {
    const name = (result as { image?: { image_name?: unknown } }).image?.image_name
    return result.type === 'image_output' && typeof name === 'string' ? [name] : []
  })
}

/** Runs a scenario in order through the page, follows it, and returns its panel once it settled. */
async function settledRun(page: Parameters<typeof applyDelivery>[0], scenario: string) {
  expect(await applyDelivery(page, { cancelRace: false, chaos: null })).toBe('applied: in_order')
  const itemId = await enqueueThroughPage(page, scenario)
  await page.getByTestId(`queue-item-${itemId}`).click()
  const run = page.locator(`[data-testid="run"][data-item-id="${itemId}"]`)
  expect(await waitUntilSettledInPage(page, itemId)).toBe('completed')
  return { itemId, run }
}

const nodeOf = (run: Locator, nodeId: string) => run.locator(`[data-testid="node-${nodeId}"]`)

describe('the run panel draws the workflow graph, in Chromium', () => {
  browserTest.skipIf(skipWithoutBrowser)(
    "a fan-out run draws every persisted node and edge, and counts each fan-out node's copies",
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const { itemId, run } = await settledRun(page, 'fanout')
      const persisted = await persistedItem(server, itemId)
      const graph = graphOf(persisted)
      expect(graph.edges.length).toBeGreaterThan(0)

      await expect
        .poll(() => run.locator('.react-flow__edge').count(), { timeout: SETTLE_TIMEOUT_MS })
        .toBe(graph.edges.length)
      for (const [nodeId, node] of Object.entries(graph.nodes)) {
        await expect.poll(() => nodeOf(run, nodeId).count()).toBe(1)
        expect(await nodeOf(run, nodeId).locator('.node-type').textContent()).toBe(node.type)
      }
      expect(await run.locator('[data-testid^="node-"]').count()).toBe(Object.keys(graph.nodes).length)

      const copies = Object.entries(persisted.session.source_prepared_mapping ?? {})
      const fanOut = copies.filter(([, prepared]) => prepared.length > 1)
      expect(fanOut.length, 'denoise and l2i run once per seed').toBeGreaterThanOrEqual(2)
      for (const [nodeId, prepared] of copies) {
        const shown = nodeOf(run, nodeId)
        const n = prepared.length
        await expect.poll(() => shown.getAttribute('data-copies-done')).toBe(String(n))
        expect(await shown.getAttribute('data-copies-total')).toBe(String(n))
        // "k of n done" only for a node with several copies.
        expect(await shown.getByTestId('copies').count()).toBe(n > 1 ? 1 : 0)
        if (n > 1) expect(await shown.getByTestId('copies').textContent()).toContain(`${n} of ${n} done`)
      }
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    'every persisted image output of a run is shown, loaded, inside the graph',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      const { itemId, run } = await settledRun(page, 'fanout')
      const names = imageNamesOf(await persistedItem(server, itemId))
      expect(names.length, 'one l2i image per seed').toBeGreaterThan(1)
      for (const name of names) {
        const image = run.locator(`.react-flow img[src*="${encodeURIComponent(name)}"]`)
        await expect.poll(() => image.count(), { timeout: SETTLE_TIMEOUT_MS }).toBe(1)
        await expect
          .poll(() => image.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)), {
            timeout: SETTLE_TIMEOUT_MS,
          })
          .toBeGreaterThan(0)
      }
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )

  browserTest.skipIf(skipWithoutBrowser)(
    'a canceled run marks the nodes that never ran, and leaves none pending or running',
    async ({ live }) => {
      const { server, page, pageErrors } = live
      expect(await applyDelivery(page, { cancelRace: false, chaos: null })).toBe('applied: in_order')
      const itemId = await enqueueThroughPage(page, 'long')
      const run = page.locator(`[data-testid="run"][data-item-id="${itemId}"]`)
      const running = run.locator('[data-testid^="node-"][data-status="IN_PROGRESS"]')
      await running.first().waitFor({ timeout: SETTLE_TIMEOUT_MS })
      // While the item runs, the nodes after the running one wait: PENDING, not "never ran".
      // The graph is fetched apart from the events: polled until its waiting nodes are drawn.
      await expect
        .poll(() => run.locator('[data-testid^="node-"][data-status="PENDING"]').count(), {
          timeout: SETTLE_TIMEOUT_MS,
        })
        .toBeGreaterThan(0)
      expect(await run.locator('[data-testid^="node-"][data-status="NOT_RUN"]').count()).toBe(0)
      const interrupted = (await running.first().getAttribute('data-testid')) ?? ''

      await run.getByTestId('cancel-button').click()
      expect(await waitUntilSettledInPage(page, itemId)).toBe('canceled')
      const persisted = await persistedItem(server, itemId)
      const ran = new Set(
        Object.keys({ ...persisted.session.results, ...persisted.session.errors }).map(
          (preparedId) => persisted.session.prepared_source_mapping?.[preparedId] ?? preparedId,
        ),
      )
      const neverRan = Object.keys(graphOf(persisted).nodes).filter(
        (nodeId) => !ran.has(nodeId) && `node-${nodeId}` !== interrupted,
      )
      expect(neverRan.length, 'l2i never ran').toBeGreaterThan(0)

      expect(await run.getByTestId(interrupted).getAttribute('data-status')).toBe('CANCELED')
      for (const nodeId of neverRan) {
        const shown = nodeOf(run, nodeId)
        expect(await shown.getAttribute('data-status')).toBe('NOT_RUN')
        expect(await shown.textContent()).toContain('never ran')
      }
      const stuck = run.locator(
        '[data-testid^="node-"][data-status="PENDING"], [data-testid^="node-"][data-status="IN_PROGRESS"]',
      )
      expect(await stuck.count()).toBe(0)
      expect(pageErrors).toEqual([])
    },
    BROWSER_TEST_TIMEOUT_MS,
  )
})
