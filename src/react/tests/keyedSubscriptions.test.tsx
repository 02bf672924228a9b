// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { configureStore, type UnknownAction } from '@reduxjs/toolkit'
import { Provider } from 'react-redux'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createExecutionStore,
  createWorkflowExecution,
  invocationComplete,
  invocationProgress,
  invocationStarted,
  queueItemStatusChanged,
} from '../..'
import { useItemNodeExecutionState, useNodeExecutionState, useQueueItemExecution } from '..'
import { completed, progress, started, statusChanged } from './events'

const NODES = 300

type Renders = Map<string, number>

function NodeReader({ itemId, nodeId, renders }: { itemId: number; nodeId: string; renders: Renders }) {
  const node = useItemNodeExecutionState(itemId, nodeId)
  renders.set(nodeId, (renders.get(nodeId) ?? 0) + 1)
  return (
    <span
      data-testid={nodeId}
    >{`${node?.status ?? 'none'} ${node?.progress ?? '-'} ${node?.outputs.length ?? 0}`}</span>
  )
}

function ActiveReader({ nodeId, renders }: { nodeId: string; renders: Renders }) {
  const node = useNodeExecutionState(nodeId)
  renders.set(`active:${nodeId}`, (renders.get(`active:${nodeId}`) ?? 0) + 1)
  return <span data-testid={`active:${nodeId}`}>{node?.status ?? 'none'}</span>
}

function ItemReader({ itemId }: { itemId: number }) {
  const item = useQueueItemExecution(itemId)
  return <span data-testid={`item:${itemId}`}>{item?.status ?? 'none'}</span>
}

/** A store whose subscriptions are counted: keyed readers must not each subscribe to the store. */
function countedStore() {
  const store = createExecutionStore({ devTools: false, reconcileOrigins: [] })
  const subscribe = store.subscribe
  const counted = { subscribers: 0 }
  store.subscribe = (listener) => {
    counted.subscribers += 1
    const unsubscribe = subscribe(listener)
    return () => {
      counted.subscribers -= 1
      unsubscribe()
    }
  }
  return { store, counted }
}

async function dispatch(
  store: { dispatch: (action: UnknownAction) => unknown },
  ...actions: UnknownAction[]
) {
  await act(async () => {
    for (const action of actions) store.dispatch(action)
    await new Promise((resolve) => setTimeout(resolve, 20))
  })
}

afterEach(cleanup)

describe('hooks subscribed per node through the engine’s keyed subscriptions', () => {
  it(`with ${NODES} mounted nodes, a progress event renders its node once and nothing else, and no reader subscribes to the store`, async () => {
    const { store, counted } = countedStore()
    const renders: Renders = new Map()
    const ids = Array.from({ length: NODES }, (_, i) => `n${i}`)
    store.dispatch(queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1)))
    for (const id of ids) store.dispatch(invocationStarted(started({ itemId: 1 }, id)))
    render(
      <Provider store={store}>
        {ids.map((id) => (
          <NodeReader key={id} itemId={1} nodeId={id} renders={renders} />
        ))}
      </Provider>,
    )
    // react-redux's Provider subscribes once; the readers do not subscribe to the store at all.
    expect(counted.subscribers).toBeLessThanOrEqual(1)
    renders.clear()
    await dispatch(store, invocationProgress(progress({ itemId: 1 }, 'n7', 0.5)))
    expect([...renders]).toEqual([['n7', 1]])
    expect(screen.getByTestId('n7').textContent).toBe('IN_PROGRESS 0.5 0')
  })

  it('a completion renders its node once, although the exactly-once output action follows it', async () => {
    const { store } = countedStore()
    const renders: Renders = new Map()
    store.dispatch(queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1)))
    store.dispatch(invocationStarted(started({ itemId: 1 }, 'a')))
    render(
      <Provider store={store}>
        <NodeReader itemId={1} nodeId="a" renders={renders} />
        <NodeReader itemId={1} nodeId="b" renders={renders} />
      </Provider>,
    )
    renders.clear()
    await dispatch(store, invocationComplete(completed({ itemId: 1 }, 'a')))
    expect([...renders]).toEqual([['a', 1]])
    expect(screen.getByTestId('a').textContent).toBe('COMPLETED - 1')
  })

  it('the current run’s node follows a new run of its origin, and an item reader follows its item', async () => {
    const { store } = countedStore()
    const renders: Renders = new Map()
    render(
      <Provider store={store}>
        <ActiveReader nodeId="a" renders={renders} />
        <ItemReader itemId={2} />
      </Provider>,
    )
    await dispatch(
      store,
      queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1)),
      invocationStarted(started({ itemId: 1 }, 'a')),
    )
    expect(screen.getByTestId('active:a').textContent).toBe('IN_PROGRESS')
    await dispatch(store, queueItemStatusChanged(statusChanged({ itemId: 2 }, 'in_progress', 1)))
    // Item 2 is the current run now, and has no node `a` yet.
    expect(screen.getByTestId('active:a').textContent).toBe('none')
    expect(screen.getByTestId('item:2').textContent).toBe('in_progress')
    await dispatch(store, invocationComplete(completed({ itemId: 2 }, 'a')))
    expect(screen.getByTestId('active:a').textContent).toBe('COMPLETED')
  })

  it('without the engine’s middleware in the store, the hooks fall back to the store’s subscription', async () => {
    const execution = createWorkflowExecution({ reconcileOrigins: [] })
    const store = configureStore({ reducer: { workflowExecution: execution.reducer } })
    const renders: Renders = new Map()
    render(
      <Provider store={store}>
        <NodeReader itemId={1} nodeId="a" renders={renders} />
      </Provider>,
    )
    await dispatch(
      store,
      queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1)),
      invocationStarted(started({ itemId: 1 }, 'a')),
    )
    expect(screen.getByTestId('a').textContent).toBe('IN_PROGRESS - 0')
  })
})
