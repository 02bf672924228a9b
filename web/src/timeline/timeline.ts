import type { UnknownAction } from '@reduxjs/toolkit'
import {
  selectNodeExecutionState,
  selectNodeIds,
  selectQueueItemExecution,
  selectQueueItemIds,
  selectRecentDecisions,
  socketConnected,
  socketDisconnected,
  type EventKey,
  type NodeStatus,
  type QueueItemExecution,
  type ReconciliationPhase,
  type RuleId,
  type WithWorkflowExecution,
} from '../../../src'
import { cover, uncovered, type Range } from './ranges'

/*
 * The timeline of each item, built beside the engine from what each action did to its state: the decisions
 * its ring gained (the rule that applied or ignored each event), its reconciliation phases, when each node
 * started and ended, and the link's drops. Pure: the recorder feeds it the state before and after each
 * action. Every list is bounded: the page may run for hours.
 */

export interface TimelineLimits {
  maxItems: number
  /** Marks kept per item (the oldest go first; `dropped` counts them). */
  maxMarks: number
  /** Node spans kept per item. */
  maxNodes: number
  /** Connects and disconnects kept. */
  maxLinkMarks: number
}

export const DEFAULT_TIMELINE_LIMITS: TimelineLimits = {
  maxItems: 100,
  maxMarks: 400,
  maxNodes: 100,
  maxLinkMarks: 50,
}

export interface DecisionMark {
  kind: 'decision'
  t: number
  /** The engine action that carried the event, without its prefix (e.g. `invocationProgress`). */
  action: string
  event: EventKey
  rule: RuleId
  applied: boolean
  nodeId: string | null
}

export interface PhaseMark {
  kind: 'reconciliation'
  t: number
  phase: ReconciliationPhase
  /** What the server answered, once it did. */
  snapshotStatus: string | null
}

export type ItemMark = DecisionMark | PhaseMark

export interface LinkMark {
  t: number
  connected: boolean
  reason: string | null
}

/** One source node: first started → last terminal (a fan-out node ends with its last copy). */
export interface NodeSpan {
  nodeId: string
  status: NodeStatus
  startedAt: number | null
  endedAt: number | null
}

export interface ItemTimeline {
  itemId: number
  marks: readonly ItemMark[]
  dropped: number
  nodes: Readonly<Record<string, NodeSpan>>
  nodeOrder: readonly string[]
  /** Decision indexes already recorded (see ranges.ts). */
  covered: readonly Range[]
  /** The last reconciliation mark recorded. */
  phase: PhaseMark | null
}

export interface TimelineState {
  limits: TimelineLimits
  items: Readonly<Record<number, ItemTimeline>>
  /** First-seen order, oldest first. */
  order: readonly number[]
  link: readonly LinkMark[]
}

export interface RecordedAction {
  action: UnknownAction
  before: WithWorkflowExecution
  after: WithWorkflowExecution
  t: number
}

const emptyTimeline = (itemId: number): ItemTimeline => ({
  itemId,
  marks: [],
  dropped: 0,
  nodes: {},
  nodeOrder: [],
  covered: [],
  phase: null,
})

export function createTimelineState(limits: TimelineLimits = DEFAULT_TIMELINE_LIMITS): TimelineState {
  return { limits, items: {}, order: [], link: [] }
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined

/** The item a socket action, an output or the reconciliation thunk speaks of; null for bulk actions. */
function itemIdOf(action: UnknownAction): number | null {
  const id =
    field(action.payload, 'item_id') ??
    field(action.payload, 'itemId') ??
    field(field(field(action, 'meta'), 'arg'), 'itemId')
  return typeof id === 'number' ? id : null
}

const shortType = (type: string) => type.slice(type.lastIndexOf('/') + 1)

/** The node an action speaks of: an invocation event's source node, or an output's. */
function nodeIdOf(action: UnknownAction): string | null {
  const id = field(action.payload, 'invocation_source_id') ?? field(action.payload, 'sourceNodeId')
  return typeof id === 'string' ? id : null
}

/** The decisions this action made that no nested action recorded first, and the ranges then recorded. */
function newDecisions(
  timeline: ItemTimeline,
  before: QueueItemExecution | undefined,
  recorded: RecordedAction,
  after: QueueItemExecution,
) {
  const total = after.decisions.total
  // A replaced entity (a reused id) starts its ring again: everything in it is new.
  const replaced = (timeline.covered.at(-1)?.[1] ?? 0) > total
  const covered = replaced ? [] : timeline.covered
  const from = before && before.decisions.total <= total ? before.decisions.total : 0
  const ring = selectRecentDecisions(recorded.after, after.itemId)
  const firstIndex = total - ring.length
  const nodeId = nodeIdOf(recorded.action)
  const marks = uncovered(covered, from, total).flatMap(([a, b]) =>
    ring.slice(Math.max(0, a - firstIndex), Math.max(0, b - firstIndex)).map((entry): DecisionMark => ({
      kind: 'decision',
      t: recorded.t,
      action: shortType(recorded.action.type),
      event: entry.event,
      rule: entry.rule,
      applied: entry.applied,
      nodeId,
    })),
  )
  return { marks, covered: cover(covered, from, total) }
}

/** A mark when the reconciliation record differs from the last one recorded (a nested action may have). */
function phaseMarks(timeline: ItemTimeline, after: QueueItemExecution, t: number): PhaseMark[] {
  const { phase, snapshotStatus } = after.reconciliation
  const last = timeline.phase
  if (last ? last.phase === phase && last.snapshotStatus === snapshotStatus : phase === 'idle') return []
  return [{ kind: 'reconciliation', t, phase, snapshotStatus }]
}

function nextSpan(span: NodeSpan | undefined, nodeId: string, status: NodeStatus, t: number): NodeSpan {
  const startedAt = span?.startedAt ?? (status === 'PENDING' ? null : t)
  // Called on a change of status only: a terminal one is the latest end (a fan-out ends with its last copy).
  const terminal = status !== 'PENDING' && status !== 'IN_PROGRESS'
  return { nodeId, status, startedAt, endedAt: terminal ? t : null }
}

/** The spans of nodes whose status changed; for an invocation event only its node is looked at. */
function nodeChanges(timeline: ItemTimeline, state: RecordedAction, itemId: number) {
  const nodeId = nodeIdOf(state.action)
  const ids = nodeId !== null ? [nodeId] : selectNodeIds(state.after, itemId)
  const nodes = { ...timeline.nodes }
  const nodeOrder = [...timeline.nodeOrder]
  for (const id of ids) {
    const status = selectNodeExecutionState(state.after, itemId, id)?.status
    if (status === undefined || nodes[id]?.status === status) continue
    if (!Object.hasOwn(nodes, id)) nodeOrder.push(id)
    nodes[id] = nextSpan(nodes[id], id, status, state.t)
  }
  return { nodes, nodeOrder }
}

/**
 * The item's timeline after one action, from its timeline so far (undefined: not tracked yet); null when
 * the action left the item alone. Work bounded by the item's own limits, never by how many items are held.
 */
export function itemTimelineAfter(
  timeline: ItemTimeline | undefined,
  recorded: RecordedAction,
  itemId: number,
  limits: TimelineLimits,
): ItemTimeline | null {
  const before = selectQueueItemExecution(recorded.before, itemId)
  const after = selectQueueItemExecution(recorded.after, itemId)
  if (!after || before === after) return null
  const current = timeline ?? emptyTimeline(itemId)
  const decisions = newDecisions(current, before, recorded, after)
  const phases = phaseMarks(current, after, recorded.t)
  const added = decisions.marks.length + phases.length
  const all = added === 0 ? current.marks : [...current.marks, ...decisions.marks, ...phases]
  const overflow = Math.max(0, all.length - limits.maxMarks)
  const nodes =
    before?.nodes === after.nodes
      ? current
      : boundedNodes(nodeChanges(current, recorded, itemId), limits.maxNodes)
  return {
    itemId,
    marks: overflow > 0 ? all.slice(overflow) : all,
    dropped: current.dropped + overflow,
    nodes: nodes.nodes,
    nodeOrder: nodes.nodeOrder,
    covered: decisions.covered,
    phase: phases.at(-1) ?? current.phase,
  }
}

function recordItem(state: TimelineState, recorded: RecordedAction, itemId: number): TimelineState {
  const next = itemTimelineAfter(state.items[itemId], recorded, itemId, state.limits)
  if (next === null) return state
  const items = { ...state.items, [itemId]: next }
  if (Object.hasOwn(state.items, itemId)) return { ...state, items }
  const order = [...state.order, itemId]
  while (order.length > state.limits.maxItems) delete items[order.shift() as number]
  return { ...state, items, order }
}

function boundedNodes(
  { nodes, nodeOrder }: Pick<ItemTimeline, 'nodes' | 'nodeOrder'>,
  maxNodes: number,
): Pick<ItemTimeline, 'nodes' | 'nodeOrder'> {
  if (nodeOrder.length <= maxNodes) return { nodes, nodeOrder }
  const kept = nodeOrder.slice(0, maxNodes)
  return { nodes: Object.fromEntries(kept.map((id) => [id, nodes[id] as NodeSpan])), nodeOrder: kept }
}

/** The link mark this action makes: a connect or a disconnect; null for any other action. */
export function linkMarkOf({ action, t }: RecordedAction): LinkMark | null {
  if (socketConnected.match(action)) return { t, connected: true, reason: null }
  if (socketDisconnected.match(action)) return { t, connected: false, reason: action.payload.reason }
  return null
}

function recordLink(state: TimelineState, recorded: RecordedAction): TimelineState {
  const mark = linkMarkOf(recorded)
  if (mark === null) return state
  const link = [...state.link, mark]
  return { ...state, link: link.slice(Math.max(0, link.length - state.limits.maxLinkMarks)) }
}

/**
 * The items an action may have changed: the one it names, or (a bulk action) every item held; none when
 * it left the items alone (the common case is one reference check).
 */
export function itemsTouchedBy(recorded: RecordedAction): readonly number[] {
  if (recorded.before.workflowExecution.items === recorded.after.workflowExecution.items) return []
  const itemId = itemIdOf(recorded.action)
  return itemId === null ? selectQueueItemIds(recorded.after) : [itemId]
}

/** The timeline after one engine action: the pure reference (it copies the items held); see timelineStore.ts. */
export function recordAction(state: TimelineState, recorded: RecordedAction): TimelineState {
  const linked = recordLink(state, recorded)
  return itemsTouchedBy(recorded).reduce((current, id) => recordItem(current, recorded, id), linked)
}

/** How long a node ran, once it ended. */
export const spanDuration = (span: NodeSpan): number | null =>
  span.startedAt !== null && span.endedAt !== null ? span.endedAt - span.startedAt : null
