// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import type { UnknownAction } from '@reduxjs/toolkit'
import { Provider } from 'react-redux'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createExecutionStore,
  invocationComplete,
  invocationProgress,
  invocationStarted,
  queueItemStatusChanged,
} from '../..'
import {
  useActiveItemId,
  useItemNodeCopyCounts,
  useItemNodeExecutionState,
  useNodeExecutionState,
  useNodeIds,
  useQueueItemExecution,
  useRecentDecisions,
} from '..'
import { completed, progress, started, statusChanged } from './events'

type Renders = Record<string, number>

function count(renders: Renders, name: string) {
  renders[name] = (renders[name] ?? 0) + 1
}

function NodeCard({ itemId, nodeId, renders }: { itemId: number; nodeId: string; renders: Renders }) {
  const node = useItemNodeExecutionState(itemId, nodeId)
  count(renders, nodeId)
  return (
    <p data-testid={nodeId}>
      {node?.status ?? 'none'} {node?.progress ?? '-'}
    </p>
  )
}

function CopyCounts({ itemId, nodeId, renders }: { itemId: number; nodeId: string; renders: Renders }) {
  const counts = useItemNodeCopyCounts(itemId, nodeId)
  count(renders, `copies-${nodeId}`)
  return <p data-testid="copies">{counts ? `${counts.completed} of ${counts.total}` : 'none'}</p>
}

/** Copy `copy` of node `nodeId`: one source node, several prepared ids, as an iterate makes. */
const copyOf = <T extends { invocation: object }>(event: T, copy: string): T => ({
  ...event,
  invocation: { ...event.invocation, id: copy },
})

function NodeList({ itemId, renders }: { itemId: number; renders: Renders }) {
  const nodeIds = useNodeIds(itemId)
  count(renders, 'list')
  return <p data-testid="list">{nodeIds.join(',')}</p>
}

function ActiveNode({ nodeId, origin }: { nodeId: string; origin?: string }) {
  const itemId = useActiveItemId(origin)
  const node = useNodeExecutionState(nodeId, origin)
  return (
    <p data-testid="active">
      {itemId ?? 'none'}:{node?.status ?? 'none'}
    </p>
  )
}

function Decisions({ itemId }: { itemId: number }) {
  const decisions = useRecentDecisions(itemId)
  const item = useQueueItemExecution(itemId)
  const ignored = decisions.filter((decision) => !decision.applied).map((decision) => decision.rule)
  return (
    <p data-testid="decisions">
      {item?.status}|{ignored.join(',')}
    </p>
  )
}

function setup(ui: React.ReactNode) {
  // No reconciliation fetches: these scenarios never reach a terminal status.
  const store = createExecutionStore({ devTools: false, reconcileOrigins: [] })
  render(<Provider store={store}>{ui}</Provider>)
  return {
    store,
    /** Dispatches inside act and waits past the auto-batching of progress notifications. */
    async dispatch(...actions: UnknownAction[]) {
      await act(async () => {
        for (const action of actions) store.dispatch(action)
        await new Promise((resolve) => setTimeout(resolve, 30))
      })
    },
  }
}

const item7 = { itemId: 7 }

afterEach(cleanup)

describe('react hooks', () => {
  it('progress on one node re-renders only that node, not its sibling', async () => {
    const renders: Renders = {}
    const { dispatch } = setup(
      <>
        <NodeCard itemId={7} nodeId="denoise" renders={renders} />
        <NodeCard itemId={7} nodeId="decode" renders={renders} />
      </>,
    )
    await dispatch(
      queueItemStatusChanged(statusChanged(item7, 'in_progress', 1)),
      invocationStarted(started(item7, 'denoise')),
      invocationStarted(started(item7, 'decode')),
    )
    const before = { ...renders }

    for (let step = 1; step <= 10; step += 1) {
      await dispatch(invocationProgress(progress(item7, 'denoise', step / 10)))
    }

    expect(screen.getByTestId('denoise').textContent).toBe('IN_PROGRESS 1')
    expect(renders.denoise).toBeGreaterThanOrEqual((before.denoise ?? 0) + 10)
    expect(renders.decode).toBe(before.decode)
  })

  it('the node list keeps its array while nodes only make progress, and grows when a node starts', async () => {
    const renders: Renders = {}
    const { dispatch } = setup(<NodeList itemId={7} renders={renders} />)
    await dispatch(
      queueItemStatusChanged(statusChanged(item7, 'in_progress', 1)),
      invocationStarted(started(item7, 'denoise')),
    )
    const before = renders.list

    await dispatch(
      invocationProgress(progress(item7, 'denoise', 0.25)),
      invocationProgress(progress(item7, 'denoise', 0.5)),
    )
    expect(renders.list).toBe(before)

    await dispatch(invocationStarted(started(item7, 'decode')))
    expect(renders.list).toBe((before ?? 0) + 1)
    expect(screen.getByTestId('list').textContent).toBe('denoise,decode')
  })

  it("the editor's node follows the latest workflows run, and a canvas run does not move it", async () => {
    const { dispatch } = setup(<ActiveNode nodeId="denoise" />)
    expect(screen.getByTestId('active').textContent).toBe('none:none')

    await dispatch(
      queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1)),
      invocationStarted(started({ itemId: 1 }, 'denoise')),
      invocationComplete(completed({ itemId: 1 }, 'denoise')),
    )
    expect(screen.getByTestId('active').textContent).toBe('1:COMPLETED')

    await dispatch(
      queueItemStatusChanged(statusChanged({ itemId: 2, origin: 'canvas' }, 'in_progress', 1)),
      invocationStarted(started({ itemId: 2, origin: 'canvas' }, 'denoise')),
    )
    expect(screen.getByTestId('active').textContent).toBe('1:COMPLETED')

    await dispatch(queueItemStatusChanged(statusChanged({ itemId: 3 }, 'in_progress', 1)))
    expect(screen.getByTestId('active').textContent).toBe('3:none')
    await dispatch(invocationStarted(started({ itemId: 3 }, 'denoise')))
    expect(screen.getByTestId('active').textContent).toBe('3:IN_PROGRESS')
  })

  it('a completion delivered twice shows up as an ignored I3 decision, and a stale status as Q6a', async () => {
    const { dispatch } = setup(<Decisions itemId={7} />)
    await dispatch(
      queueItemStatusChanged(statusChanged(item7, 'in_progress', 1)),
      invocationStarted(started(item7, 'denoise')),
      invocationComplete(completed(item7, 'denoise')),
      invocationComplete(completed(item7, 'denoise')),
      queueItemStatusChanged(statusChanged(item7, 'pending', 0)),
    )
    const [status, ignored] = (screen.getByTestId('decisions').textContent ?? '').split('|')
    expect(status).toBe('in_progress')
    expect(ignored).toBe('I3,Q6a')
  })

  it('the copy counts of a fan-out node wake their reader when a copy moves, not on progress', async () => {
    const renders: Renders = {}
    const { dispatch } = setup(<CopyCounts itemId={7} nodeId="denoise" renders={renders} />)
    expect(screen.getByTestId('copies').textContent).toBe('none')
    await dispatch(
      queueItemStatusChanged(statusChanged(item7, 'in_progress', 1)),
      invocationStarted(copyOf(started(item7, 'denoise'), 'd1')),
      invocationStarted(copyOf(started(item7, 'denoise'), 'd2')),
    )
    expect(screen.getByTestId('copies').textContent).toBe('0 of 2')
    const before = renders['copies-denoise']

    for (let step = 1; step <= 5; step += 1) {
      await dispatch(invocationProgress(copyOf(progress(item7, 'denoise', step / 5), 'd1')))
    }
    expect(renders['copies-denoise']).toBe(before)

    await dispatch(invocationComplete(copyOf(completed(item7, 'denoise'), 'd1')))
    expect(screen.getByTestId('copies').textContent).toBe('1 of 2')
    expect(renders['copies-denoise']).toBe((before ?? 0) + 1)
  })
})
