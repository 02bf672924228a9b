import type { Store } from '@reduxjs/toolkit'
import { useCallback, useMemo, useSyncExternalStore } from 'react'
import { shallowEqual, useSelector, useStore } from 'react-redux'
import type {
  DecisionEntry,
  NodeExecutionState,
  QueueItemExecution,
} from '../features/workflowExecution/model/types'
import {
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectNodeExecutionState,
  selectNodeIds,
  selectQueueItemExecution,
  selectQueueItemIds,
  selectQueueItems,
  selectRecentDecisions,
  selectWorkflowExecution,
  type WithWorkflowExecution,
} from '../features/workflowExecution/slice/selectors'
import {
  isExecutionSubscriptions,
  subscriptionsRequested,
  type ExecutionSubscriptions,
} from '../features/workflowExecution/subscriptions'

/*
 * React bindings. The per-node and per-item hooks subscribe through the engine's keyed subscriptions
 * (`useSyncExternalStore`): a progress event on one node wakes that node's reader only, instead of
 * running every mounted selector as a store-wide subscription would. Without the engine's middleware in
 * the store they fall back to the store's own subscription. The list hooks use react-redux's
 * `useSelector`. `itemId` may be undefined (nothing selected yet); the hooks then return undefined or an
 * empty list.
 */

export type { WithWorkflowExecution }

/** The origin of the workflow editor's runs (InvokeAI's `origin` for workflows). */
export const DEFAULT_ORIGIN = 'workflows'

// A shared empty list, so "no item" never looks like a change to a reader.
const NO_ENTRIES: readonly never[] = Object.freeze([])

const useExecutionSelector = useSelector.withTypes<WithWorkflowExecution>()
const useExecutionStore = useStore.withTypes<Store<WithWorkflowExecution>>()

const NO_SUBSCRIPTION = () => () => undefined

/** The engine's keyed subscriptions of the store in context, or null without the engine's middleware. */
function useSubscriptions(): {
  store: ReturnType<typeof useExecutionStore>
  subscriptions: ExecutionSubscriptions | null
} {
  const store = useExecutionStore()
  const subscriptions = useMemo(() => {
    const answer: unknown = store.dispatch(subscriptionsRequested())
    return isExecutionSubscriptions(answer) ? answer : null
  }, [store])
  return { store, subscriptions }
}

/** A node of the item currently running (or last run) for `origin`: the workflow editor's view of a node. */
export function useNodeExecutionState(
  nodeId: string,
  origin: string = DEFAULT_ORIGIN,
): NodeExecutionState | undefined {
  const { store, subscriptions } = useSubscriptions()
  const subscribe = useCallback(
    (listener: () => void) =>
      subscriptions ? subscriptions.subscribeActiveNode(origin, nodeId, listener) : store.subscribe(listener),
    [store, subscriptions, origin, nodeId],
  )
  const read = () => selectActiveNodeExecutionState(store.getState(), origin, nodeId)
  return useSyncExternalStore(subscribe, read, read)
}

/** A node of one given queue item, whether or not that item is the active one. */
export function useItemNodeExecutionState(
  itemId: number | undefined,
  nodeId: string,
): NodeExecutionState | undefined {
  const { store, subscriptions } = useSubscriptions()
  const subscribe = useCallback(
    (listener: () => void) => {
      if (itemId === undefined) return NO_SUBSCRIPTION()
      return subscriptions ? subscriptions.subscribeNode(itemId, nodeId, listener) : store.subscribe(listener)
    },
    [store, subscriptions, itemId, nodeId],
  )
  const read = () =>
    itemId === undefined ? undefined : selectNodeExecutionState(store.getState(), itemId, nodeId)
  return useSyncExternalStore(subscribe, read, read)
}

/** The whole execution record of a queue item; changes on every event of that item. */
export function useQueueItemExecution(itemId: number | undefined): QueueItemExecution | undefined {
  const { store, subscriptions } = useSubscriptions()
  const subscribe = useCallback(
    (listener: () => void) => {
      if (itemId === undefined) return NO_SUBSCRIPTION()
      return subscriptions ? subscriptions.subscribeItem(itemId, listener) : store.subscribe(listener)
    },
    [store, subscriptions, itemId],
  )
  const read = () => (itemId === undefined ? undefined : selectQueueItemExecution(store.getState(), itemId))
  return useSyncExternalStore(subscribe, read, read)
}

/** The item that most recently went `in_progress` for `origin`. */
export function useActiveItemId(origin: string = DEFAULT_ORIGIN): number | undefined {
  return useExecutionSelector((state) => selectActiveItemId(state, origin))
}

/** Every tracked item, most recently touched first; changes whenever any item changes. */
export function useQueueItems(): QueueItemExecution[] {
  return useExecutionSelector(selectQueueItems)
}

/** Ids of the tracked items, in the order they were first seen; changes only when one is added or evicted. */
export function useQueueItemIds(): readonly number[] {
  return useExecutionSelector(selectQueueItemIds)
}

/** Node ids of an item in first-seen order; the same array until a node is added. */
export function useNodeIds(itemId: number | undefined): readonly string[] {
  return useExecutionSelector(
    (state) => (itemId === undefined ? NO_ENTRIES : selectNodeIds(state, itemId)),
    shallowEqual,
  )
}

/** The item's recent decisions (rule id, event, applied or ignored), oldest first. */
export function useRecentDecisions(itemId: number | undefined): readonly DecisionEntry[] {
  return useExecutionSelector(
    (state) => (itemId === undefined ? NO_ENTRIES : selectRecentDecisions(state, itemId)),
    shallowEqual,
  )
}

/** Whether the bound socket is connected, as the engine last heard it. */
export function useSocketConnected(): boolean {
  return useExecutionSelector((state) => selectWorkflowExecution(state).connected)
}
