// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import type { UnknownAction } from '@reduxjs/toolkit'
import { Profiler } from 'react'
import { Provider } from 'react-redux'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createExecutionStore,
  invocationComplete,
  invocationProgress,
  invocationStarted,
  queueItemStatusChanged,
} from '../../../../src'
import { completed, progress, started, statusChanged } from '../../../../src/react/tests/events'
import { NodeCard } from '../../components/NodeCard'
import { SessionContext, type PageContext } from '../../session/context'
import { ItemStoppedProvider } from '../itemStopped'

/*
 * The card each graph node draws: its status (PENDING while the item runs, NOT_RUN once it stopped),
 * its copy counts, and renders of its own node only.
 */

const item = { itemId: 5 }

// Only what an output's view reads of the page.
const page = {
  session: { api: { imageUrl: (name: string) => name, thumbnailUrl: (name: string) => name } },
  server: { kind: 'simulator', scenarios: [] },
} as unknown as PageContext

/** A copy of `nodeId` under another prepared id: a fan-out's second element. */
const copy = <T extends { invocation: object }>(event: T, preparedId: string): T => ({
  ...event,
  invocation: { ...event.invocation, id: preparedId },
})

function setup(nodeIds: string[]) {
  const store = createExecutionStore({ devTools: false, reconcileOrigins: [] })
  const renders = new Map<string, number>()
  const counted = (id: string) => () => renders.set(id, (renders.get(id) ?? 0) + 1)
  render(
    <Provider store={store}>
      <SessionContext.Provider value={page}>
        <ItemStoppedProvider itemId={item.itemId}>
          {nodeIds.map((nodeId) => (
            <Profiler key={nodeId} id={nodeId} onRender={counted(nodeId)}>
              <NodeCard itemId={item.itemId} nodeId={nodeId} type="denoise" />
            </Profiler>
          ))}
        </ItemStoppedProvider>
      </SessionContext.Provider>
    </Provider>,
  )
  return {
    renders,
    async dispatch(...actions: UnknownAction[]) {
      await act(async () => {
        for (const action of actions) store.dispatch(action)
        await new Promise((resolve) => setTimeout(resolve, 30))
      })
    },
  }
}

const card = (nodeId: string) => screen.getByTestId(`node-${nodeId}`)

afterEach(cleanup)

describe('NodeCard in the graph', () => {
  it('re-renders only for its own node, and counts a fan-out node’s copies', async () => {
    const { renders, dispatch } = setup(['a', 'b'])
    await dispatch(
      queueItemStatusChanged(statusChanged(item, 'in_progress', 1)),
      invocationStarted(copy(started(item, 'a'), 'a1')),
      invocationStarted(copy(started(item, 'a'), 'a2')),
    )
    expect(card('a').dataset).toMatchObject({ status: 'IN_PROGRESS', copiesTotal: '2', copiesDone: '0' })
    expect(card('b').dataset.status).toBe('PENDING')
    const before = new Map(renders)

    await dispatch(invocationProgress(copy(progress(item, 'a', 0.5), 'a1')))
    await dispatch(invocationComplete(copy(completed(item, 'a'), 'a1')))
    expect(renders.get('b')).toBe(before.get('b'))
    expect(renders.get('a')).toBe((before.get('a') ?? 0) + 2)
    expect(card('a').dataset).toMatchObject({ copiesTotal: '2', copiesDone: '1', outputCount: '1' })
    expect(card('a').textContent).toContain('1 of 2 done')
  })

  it('shows a single copy’s progress bar, not "1 of 1 done"', async () => {
    const { dispatch } = setup(['a'])
    await dispatch(
      queueItemStatusChanged(statusChanged(item, 'in_progress', 1)),
      invocationStarted(started(item, 'a')),
      invocationProgress(progress(item, 'a', 0.25)),
    )
    expect(card('a').dataset).toMatchObject({ copiesTotal: '1', progress: '0.25' })
    expect(screen.queryByTestId('copies')).toBeNull()
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25')
  })

  it('marks the nodes of a stopped item that never ran, and leaves the ones that ran', async () => {
    const { renders, dispatch } = setup(['ran', 'never'])
    await dispatch(
      queueItemStatusChanged(statusChanged(item, 'in_progress', 1)),
      invocationStarted(started(item, 'ran')),
    )
    expect(card('never').dataset.status).toBe('PENDING')
    // The item's own events (its status, another node's progress) do not re-render a waiting node.
    const before = renders.get('never')
    await dispatch(invocationProgress(progress(item, 'ran', 0.5)))
    expect(renders.get('never')).toBe(before)

    await dispatch(queueItemStatusChanged(statusChanged(item, 'canceled', 2)))
    expect(card('ran').dataset.status).toBe('CANCELED')
    expect(card('never').dataset.status).toBe('NOT_RUN')
    expect(card('never').textContent).toContain('never ran')
  })
})
