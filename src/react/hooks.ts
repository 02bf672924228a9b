import { useCallback, useRef, useSyncExternalStore } from 'react'
import { shallowEqual } from 'react-redux'
import type { NodeCopyCounts, WithWorkflowExecution } from '../features/workflowExecution/slice/selectors'
import {
  selectActiveItemId,
  selectActiveNodeExecutionState,
  selectNodeCopyCounts,
  selectNodeExecutionState,
  selectNodeIds,
  selectQueueItemExecution,
  selectQueueItemIds,
  selectQueueItems,
  selectRecentDecisions,
  selectWorkflowExecution,
} from '../features/workflowExecution/slice/selectors'
import type { ExecutionBinding } from './binding'
import type { ExecutionHooks } from './types'

/** The origin of the workflow editor's runs (InvokeAI's `origin` for workflows). */
export const DEFAULT_ORIGIN = 'workflows'

// A shared empty list, so "no item" never looks like a change to a reader.
const NO_ENTRIES: readonly never[] = Object.freeze([])

const NO_SUBSCRIPTION = () => () => undefined

/** Wakes the reader when one node of one item changes (or on every store change, without the index). */
function useNodeSubscription(
  store: ExecutionBinding['store'],
  subscriptions: ExecutionBinding['subscriptions'],
  itemId: number | undefined,
  nodeId: string,
) {
  return useCallback(
    (listener: () => void) => {
      if (itemId === undefined) return NO_SUBSCRIPTION()
      return subscriptions ? subscriptions.subscribeNode(itemId, nodeId, listener) : store.subscribe(listener)
    },
    [store, subscriptions, itemId, nodeId],
  )
}

/**
 * The hooks over a binding that `useBinding` provides: from react-redux's context, or fixed to one store.
 * Node and item readers subscribe through the engine's keyed subscriptions (the store's own subscription
 * without the engine's middleware); list readers subscribe to the store and keep their last answer while
 * it is equal.
 */
export function createHooks(useBinding: () => ExecutionBinding): ExecutionHooks {
  function useSelected<T>(
    select: (state: WithWorkflowExecution) => T,
    equal: (a: T, b: T) => boolean = Object.is,
  ): T {
    const { store } = useBinding()
    const last = useRef<{ value: T } | null>(null)
    const read = () => {
      const value = select(store.getState())
      if (last.current !== null && equal(last.current.value, value)) return last.current.value
      last.current = { value }
      return value
    }
    return useSyncExternalStore(store.subscribe, read, read)
  }

  return {
    useNodeExecutionState(nodeId, origin = DEFAULT_ORIGIN) {
      const { store, subscriptions } = useBinding()
      const subscribe = useCallback(
        (listener: () => void) =>
          subscriptions
            ? subscriptions.subscribeActiveNode(origin, nodeId, listener)
            : store.subscribe(listener),
        [store, subscriptions, origin, nodeId],
      )
      const read = () => selectActiveNodeExecutionState(store.getState(), origin, nodeId)
      return useSyncExternalStore(subscribe, read, read)
    },
    useItemNodeExecutionState(itemId, nodeId) {
      const { store, subscriptions } = useBinding()
      const subscribe = useNodeSubscription(store, subscriptions, itemId, nodeId)
      const read = () =>
        itemId === undefined ? undefined : selectNodeExecutionState(store.getState(), itemId, nodeId)
      return useSyncExternalStore(subscribe, read, read)
    },
    useItemNodeCopyCounts(itemId, nodeId) {
      const { store, subscriptions } = useBinding()
      const subscribe = useNodeSubscription(store, subscriptions, itemId, nodeId)
      // The node wakes this reader on every progress event; equal counts keep the last object, so no render.
      const last = useRef<NodeCopyCounts | undefined>(undefined)
      const read = () => {
        const counts =
          itemId === undefined ? undefined : selectNodeCopyCounts(store.getState(), itemId, nodeId)
        if (counts !== undefined && last.current !== undefined && shallowEqual(counts, last.current))
          return last.current
        last.current = counts
        return counts
      }
      return useSyncExternalStore(subscribe, read, read)
    },
    useQueueItemExecution(itemId) {
      const { store, subscriptions } = useBinding()
      const subscribe = useCallback(
        (listener: () => void) => {
          if (itemId === undefined) return NO_SUBSCRIPTION()
          return subscriptions ? subscriptions.subscribeItem(itemId, listener) : store.subscribe(listener)
        },
        [store, subscriptions, itemId],
      )
      const read = () =>
        itemId === undefined ? undefined : selectQueueItemExecution(store.getState(), itemId)
      return useSyncExternalStore(subscribe, read, read)
    },
    useActiveItemId: (origin = DEFAULT_ORIGIN) => useSelected((state) => selectActiveItemId(state, origin)),
    useQueueItems: () => useSelected(selectQueueItems),
    useQueueItemIds: () => useSelected(selectQueueItemIds),
    useNodeIds: (itemId) =>
      useSelected(
        (state) => (itemId === undefined ? NO_ENTRIES : selectNodeIds(state, itemId)),
        shallowEqual,
      ),
    useRecentDecisions: (itemId) =>
      useSelected(
        (state) => (itemId === undefined ? NO_ENTRIES : selectRecentDecisions(state, itemId)),
        shallowEqual,
      ),
    useSocketConnected: () => useSelected((state) => selectWorkflowExecution(state).connected),
  }
}
