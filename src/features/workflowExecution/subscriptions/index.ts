import { itemOf } from '../slice/items'
import { createAction, type Middleware, type UnknownAction } from '@reduxjs/toolkit'
import { getOwn } from '../model/records'
import { trieGet } from '../model/structures/hashTrie'
import type { WithWorkflowExecution } from '../slice/selectors'
import { REDUCER_PATH, type WorkflowExecutionState } from '../slice/state'

/*
 * Keyed subscriptions: a reader of one node (or one item) is told when that node changed, not on every
 * store notification. react-redux runs every mounted selector on every notification; with 1,000 nodes on
 * a page that sweep costs more than the one render a progress event needs. The engine's middleware knows
 * the state before and after each action, and often from the action itself which node it was about.
 */

export type Unsubscribe = () => void

/** What the engine's middleware hands to a reader that asks for it (the React hooks). */
export interface ExecutionSubscriptions {
  /** Called when node `nodeId` of item `itemId` changes (or appears, or its item goes). */
  subscribeNode(itemId: number, nodeId: string, listener: () => void): Unsubscribe
  /** Called when node `nodeId` of the current run of `origin` changes, or the current run does. */
  subscribeActiveNode(origin: string, nodeId: string, listener: () => void): Unsubscribe
  /** Called when item `itemId` changes. */
  subscribeItem(itemId: number, listener: () => void): Unsubscribe
}

/** Dispatched by a reader; the engine's middleware answers with its `ExecutionSubscriptions`. */
export const subscriptionsRequested = createAction(`${REDUCER_PATH}/subscriptionsRequested` as const)

export function isExecutionSubscriptions(value: unknown): value is ExecutionSubscriptions {
  return (
    typeof value === 'object' && value !== null && 'subscribeNode' in value && 'subscribeActiveNode' in value
  )
}

type Listeners = Set<() => void>

function addTo<K>(
  map: Map<K, Map<string, Listeners>>,
  key: K,
  nodeId: string,
  listener: () => void,
): Unsubscribe {
  let byNode = map.get(key)
  if (!byNode) map.set(key, (byNode = new Map()))
  let listeners = byNode.get(nodeId)
  if (!listeners) byNode.set(nodeId, (listeners = new Set()))
  listeners.add(listener)
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0) byNode.delete(nodeId)
    if (byNode.size === 0) map.delete(key)
  }
}

/** Actions about one node of one item: only that node can have changed (beyond its item's bookkeeping). */
const NODE_EVENT_TYPES: ReadonlySet<string> = new Set([
  `${REDUCER_PATH}/invocationStarted`,
  `${REDUCER_PATH}/invocationProgress`,
  `${REDUCER_PATH}/invocationComplete`,
  `${REDUCER_PATH}/invocationError`,
])

function nodeOfAction(action: UnknownAction): { itemId: number; nodeId: string } | null {
  if (!NODE_EVENT_TYPES.has(action.type)) return null
  const payload = (action as { payload?: { item_id?: unknown; invocation_source_id?: unknown } }).payload
  return typeof payload?.item_id === 'number' && typeof payload.invocation_source_id === 'string'
    ? { itemId: payload.item_id, nodeId: payload.invocation_source_id }
    : null
}

function nodeIn(state: WorkflowExecutionState, itemId: number | undefined, nodeId: string) {
  if (itemId === undefined) return undefined
  const item = itemOf(state.items, itemId)
  return item ? trieGet(item.nodes, nodeId) : undefined
}

/** The registry of one engine, and the middleware that feeds it. */
export function createExecutionSubscriptions() {
  const byItem = new Map<number, Map<string, Listeners>>()
  const byOrigin = new Map<string, Map<string, Listeners>>()
  const items = new Map<number, Listeners>()
  const subscriptions: ExecutionSubscriptions = {
    subscribeNode: (itemId, nodeId, listener) => addTo(byItem, itemId, nodeId, listener),
    subscribeActiveNode: (origin, nodeId, listener) => addTo(byOrigin, origin, nodeId, listener),
    subscribeItem: (itemId, listener) => {
      let listeners = items.get(itemId)
      if (!listeners) items.set(itemId, (listeners = new Set()))
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) items.delete(itemId)
      }
    },
  }

  function changed(before: WorkflowExecutionState, after: WorkflowExecutionState, action: UnknownAction) {
    const due: Listeners[] = []
    const only = nodeOfAction(action)
    for (const [itemId, listeners] of items)
      if (itemOf(before.items, itemId) !== itemOf(after.items, itemId)) due.push(listeners)
    const collect = (
      byNode: Map<string, Listeners>,
      beforeId: number | undefined,
      afterId: number | undefined,
    ) => {
      if (only) {
        // One node can have changed: look at that one only.
        const listeners =
          afterId === only.itemId || beforeId === only.itemId ? byNode.get(only.nodeId) : undefined
        if (
          listeners &&
          (beforeId !== afterId ||
            nodeIn(before, beforeId, only.nodeId) !== nodeIn(after, afterId, only.nodeId))
        )
          due.push(listeners)
        if (beforeId === afterId) return
      }
      for (const [nodeId, listeners] of byNode)
        if (nodeIn(before, beforeId, nodeId) !== nodeIn(after, afterId, nodeId)) due.push(listeners)
    }
    for (const [itemId, byNode] of byItem) {
      if (itemOf(before.items, itemId) === itemOf(after.items, itemId)) continue
      collect(byNode, itemId, itemId)
    }
    for (const [origin, byNode] of byOrigin) {
      const beforeId = getOwn(before.activeItemIdByOrigin, origin)
      const afterId = getOwn(after.activeItemIdByOrigin, origin)
      if (
        beforeId === afterId &&
        (afterId === undefined || itemOf(before.items, afterId) === itemOf(after.items, afterId))
      )
        continue
      collect(byNode, beforeId, afterId)
    }
    for (const listeners of new Set(due)) for (const listener of [...listeners]) listener()
  }

  const middleware: Middleware<object, WithWorkflowExecution> = (api) => (next) => (action) => {
    if (subscriptionsRequested.match(action)) return subscriptions
    const before = api.getState()[REDUCER_PATH]
    const result = next(action)
    const after = api.getState()[REDUCER_PATH]
    if (before !== after && (byItem.size > 0 || byOrigin.size > 0 || items.size > 0))
      changed(before, after, action as UnknownAction)
    return result
  }

  return { subscriptions, middleware }
}
