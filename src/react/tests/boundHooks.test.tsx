// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createExecutionStore,
  invocationComplete,
  invocationProgress,
  invocationStarted,
  queueItemStatusChanged,
} from '../..'
import { createExecutionHooks } from '..'
import { completed, progress, started, statusChanged } from './events'

afterEach(cleanup)

describe('hooks bound to one store, without a Provider', () => {
  it('read and follow the store they were made for, and wake only the node that changed', async () => {
    const store = createExecutionStore({ devTools: false, reconcileOrigins: [] })
    const hooks = createExecutionHooks(store)
    const renders = new Map<string, number>()
    function NodeReader({ nodeId }: { nodeId: string }) {
      const node = hooks.useItemNodeExecutionState(1, nodeId)
      renders.set(nodeId, (renders.get(nodeId) ?? 0) + 1)
      return <span data-testid={nodeId}>{`${node?.status ?? 'none'} ${node?.progress ?? '-'}`}</span>
    }
    function Header() {
      const active = hooks.useActiveItemId()
      const ids = hooks.useNodeIds(active)
      return <span data-testid="header">{`${active ?? 'none'}: ${ids.join(',')}`}</span>
    }
    const ids = Array.from({ length: 50 }, (_, i) => `n${i}`)
    render(
      <>
        <Header />
        {ids.map((id) => (
          <NodeReader key={id} nodeId={id} />
        ))}
      </>,
    )
    expect(screen.getByTestId('header').textContent).toBe('none: ')
    await act(async () => {
      store.dispatch(queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1)))
      store.dispatch(invocationStarted(started({ itemId: 1 }, 'n1')))
      store.dispatch(invocationStarted(started({ itemId: 1 }, 'n2')))
      await new Promise((resolve) => setTimeout(resolve, 20))
    })
    expect(screen.getByTestId('header').textContent).toBe('1: n1,n2')
    renders.clear()
    await act(async () => {
      store.dispatch(invocationProgress(progress({ itemId: 1 }, 'n2', 0.5)))
      await new Promise((resolve) => setTimeout(resolve, 20))
    })
    expect([...renders]).toEqual([['n2', 1]])
    expect(screen.getByTestId('n2').textContent).toBe('IN_PROGRESS 0.5')
    expect(screen.getByTestId('n1').textContent).toBe('IN_PROGRESS -')
  })

  it('give the copy counts of a node, waking only when they change', async () => {
    const store = createExecutionStore({ devTools: false, reconcileOrigins: [] })
    const hooks = createExecutionHooks(store)
    let renders = 0
    function Copies() {
      const counts = hooks.useItemNodeCopyCounts(1, 'n1')
      renders += 1
      return <span data-testid="copies">{counts ? `${counts.completed}/${counts.total}` : 'none'}</span>
    }
    render(<Copies />)
    expect(screen.getByTestId('copies').textContent).toBe('none')
    await act(async () => {
      store.dispatch(queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1)))
      store.dispatch(invocationStarted(started({ itemId: 1 }, 'n1')))
      await new Promise((resolve) => setTimeout(resolve, 20))
    })
    expect(screen.getByTestId('copies').textContent).toBe('0/1')
    const before = renders
    await act(async () => {
      store.dispatch(invocationProgress(progress({ itemId: 1 }, 'n1', 0.5)))
      await new Promise((resolve) => setTimeout(resolve, 20))
    })
    expect(renders).toBe(before)
    await act(async () => {
      store.dispatch(invocationComplete(completed({ itemId: 1 }, 'n1')))
      await new Promise((resolve) => setTimeout(resolve, 20))
    })
    expect(screen.getByTestId('copies').textContent).toBe('1/1')
  })
})
