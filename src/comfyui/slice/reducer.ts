import type { UnknownAction } from '@reduxjs/toolkit'
import type { ReducerFront } from '../../features/workflowExecution/slice/reducer'
import { trieFrom, trieGet, trieSet } from '../../features/workflowExecution/model/structures/hashTrie'
import type { ModelEvent, PersistedRun } from '../../features/workflowExecution/model/types'
import { itemOf, itemsOf } from '../../features/workflowExecution/slice/items'
import { applyItemEvent } from '../../features/workflowExecution/slice/reducers'
import type { WorkflowExecutionState } from '../../features/workflowExecution/slice/state'
import { COMFY_FRAME_SCHEMAS, type ComfyFrame } from '../wire/schemas'
import { pathTooDeep } from '../../features/workflowExecution/wire/depth'
import {
  frameReceived,
  previewReceived,
  promptQueued,
  promptRejected,
  queueListed,
  type ListedPrompt,
} from './actions'
import { eventsOfFrame, promptMeta, promptOfFrame } from './events'

/*
 * The ComfyUI front of the engine's reducer: it turns the adapter's actions into model events for the
 * item each prompt id stands for; the engine's reducer takes every other action (the reconciliation
 * thunk's lifecycle, the connection, deliveries, the current user).
 */

function countIgnored(state: WorkflowExecutionState): WorkflowExecutionState {
  return { ...state, stats: { ...state.stats, foreignEventsIgnored: state.stats.foreignEventsIgnored + 1 } }
}

/**
 * Keys of items still tracked, or remembered as evicted (so their late frames meet E1): at most
 * 2 × `maxItems` + `maxEvictedIds`. The registry is pruned once it holds 2 × `maxItems` more than that, so a
 * prune (linear in the registry) comes at most once per 2 × `maxItems` new prompts.
 */
function prunedRegistry(state: WorkflowExecutionState): WorkflowExecutionState['itemIdByRunKey'] {
  const kept: [string, number][] = []
  for (const item of itemsOf(state.items))
    if (item.sessionId !== null) kept.push([item.sessionId, item.itemId])
  state.evictedIds.forEach((itemId, at) => {
    const key = state.evictedSessions[at]
    if (key != null && trieGet(state.itemIdByRunKey, key) === itemId) kept.push([key, itemId])
  })
  return trieFrom(kept)
}

const pruneAt = ({ config }: WorkflowExecutionState) => 4 * config.maxItems + config.maxEvictedIds

/** The item id of a prompt, registering it when it is new. */
function register(state: WorkflowExecutionState, promptId: string): [WorkflowExecutionState, number] {
  const known = trieGet(state.itemIdByRunKey, promptId)
  if (known !== undefined) return [state, known]
  const itemId = state.nextRunItemId
  const registry = state.itemIdByRunKey.size >= pruneAt(state) ? prunedRegistry(state) : state.itemIdByRunKey
  return [
    { ...state, itemIdByRunKey: trieSet(registry, promptId, itemId), nextRunItemId: itemId + 1 },
    itemId,
  ]
}

function applyAll(
  state: WorkflowExecutionState,
  itemId: number,
  events: ModelEvent[],
): WorkflowExecutionState {
  let next = state
  for (const event of events) next = applyItemEvent(next, itemId, event)
  return next
}

/** A frame the binding did not validate (hand-dispatched, a DevTools replay) is checked here. */
function checkedFrame(action: UnknownAction, validatedMark: symbol): ComfyFrame | null {
  if ((action as unknown as Record<symbol, unknown>)[validatedMark] === true)
    return action.payload as ComfyFrame
  const frame = action.payload as { type?: unknown; data?: unknown } | undefined
  if (typeof frame?.type !== 'string' || !Object.hasOwn(COMFY_FRAME_SCHEMAS, frame.type)) return null
  if (pathTooDeep(frame.data) !== null) return null
  const parsed = COMFY_FRAME_SCHEMAS[frame.type as keyof typeof COMFY_FRAME_SCHEMAS].safeParse(frame.data)
  return parsed.success ? ({ type: frame.type, data: parsed.data } as ComfyFrame) : null
}

function onFrame(state: WorkflowExecutionState, frame: ComfyFrame): WorkflowExecutionState {
  const promptId = promptOfFrame(frame)
  if (promptId === null) return state
  const itemId = trieGet(state.itemIdByRunKey, promptId)
  // Progress of a prompt this client did not queue (an API script's, broadcast to every socket).
  if (itemId === undefined) return countIgnored(state)
  const origin = itemOf(state.items, itemId)?.origin ?? 'workflows'
  return applyAll(state, itemId, eventsOfFrame(frame, promptMeta(promptId, origin)))
}

function onPreview(
  state: WorkflowExecutionState,
  preview: ReturnType<typeof previewReceived>['payload'],
): WorkflowExecutionState {
  const itemId = trieGet(state.itemIdByRunKey, preview.promptId)
  if (itemId === undefined) return countIgnored(state)
  const item = itemOf(state.items, itemId)
  const copy = item && trieGet(item.copies, preview.nodeId)
  const node = item && trieGet(item.nodes, copy?.sourceNodeId ?? preview.displayNodeId ?? preview.nodeId)
  return applyItemEvent(state, itemId, {
    kind: 'invocation',
    phase: 'progress',
    preparedId: preview.nodeId,
    sourceNodeId: preview.displayNodeId ?? preview.nodeId,
    meta: promptMeta(preview.promptId, item?.origin ?? 'workflows'),
    redacted: false,
    // A preview carries no measure: the node keeps the progress it has.
    percentage: node?.progress ?? null,
    // The frame carries the encoded image only; its size is the image's own.
    image: { dataURL: preview.dataURL, width: 0, height: 0 },
  })
}

/** What `GET /queue` says of one prompt, as a listing the H rows decide on. */
function listedRun(prompt: ListedPrompt, origin: string | null): PersistedRun {
  return {
    status: prompt.status,
    statusSequence: null,
    startedAt: null,
    error: null,
    meta: promptMeta(prompt.promptId, origin),
    copies: [],
    executionOrder: [],
    nodeIds: [],
  }
}

/** The ComfyUI front of the engine's reducer (`createEngineReducer`): its actions, none other. */
export function comfyReducerFront(validatedMark: symbol): ReducerFront {
  return (state, action) => {
    if (promptQueued.match(action)) {
      const { promptId, origin = 'workflows' } = action.payload ?? {}
      if (typeof promptId !== 'string' || promptId === '') return state
      if (trieGet(state.itemIdByRunKey, promptId) !== undefined) return state
      const [registered, itemId] = register(state, promptId)
      return applyItemEvent(registered, itemId, {
        kind: 'status',
        status: 'pending',
        statusSequence: null,
        startedAt: null,
        error: null,
        meta: promptMeta(promptId, origin),
        redacted: false,
      })
    }
    if (frameReceived.match(action)) {
      const frame = checkedFrame(action, validatedMark)
      return frame ? onFrame(state, frame) : state
    }
    if (previewReceived.match(action)) {
      const { promptId, nodeId, dataURL } = action.payload ?? {}
      if (typeof promptId !== 'string' || typeof nodeId !== 'string' || typeof dataURL !== 'string')
        return state
      return onPreview(state, action.payload)
    }
    if (promptRejected.match(action)) {
      const { promptId, error } = action.payload ?? {}
      const itemId = typeof promptId === 'string' ? trieGet(state.itemIdByRunKey, promptId) : undefined
      if (itemId === undefined || typeof error?.type !== 'string') return state
      return applyItemEvent(state, itemId, {
        kind: 'status',
        status: 'failed',
        statusSequence: null,
        startedAt: null,
        error: { error_type: error.type, error_message: String(error.message ?? ''), error_traceback: null },
        meta: promptMeta(promptId as string, itemOf(state.items, itemId)?.origin ?? 'workflows'),
        redacted: false,
      })
    }
    if (queueListed.match(action)) {
      let next = state
      for (const prompt of action.payload?.prompts ?? []) {
        if (
          typeof prompt?.promptId !== 'string' ||
          (prompt.status !== 'pending' && prompt.status !== 'in_progress')
        )
          continue
        const [registered, itemId] = register(next, prompt.promptId)
        const origin = itemOf(registered.items, itemId)?.origin ?? 'workflows'
        next = applyItemEvent(registered, itemId, {
          kind: 'hydrated',
          snapshot: listedRun(prompt, origin),
          redacted: false,
        })
      }
      return next
    }
    return undefined
  }
}
