import type { CopyState, EventKey, QueueState, RuleId } from './types'

/** Named guards a rule may add to its state and event match (see guards.ts). */
export type GuardId = 'evicted' | 'redacted' | 'requestStale' | 'snapshotOlder' | 'sequenceNotNewer'

export interface Rule {
  id: RuleId
  events: readonly EventKey[]
  /** Item queue status the row matches ('none' = not known yet); omitted = any. */
  queue?: readonly QueueState[]
  /** Status of the prepared copy the event is about ('unknown' = never seen); omitted = any. */
  copy?: readonly CopyState[]
  guard?: GuardId
  apply: boolean
  why: string
}

const STATUS_EVENTS = [
  'status:pending',
  'status:in_progress',
  'status:waiting',
  'status:completed',
  'status:failed',
  'status:canceled',
] as const satisfies readonly EventKey[]
const INVOCATION_EVENTS = ['started', 'progress', 'complete', 'error'] as const satisfies readonly EventKey[]
const SNAPSHOT_EVENTS = [
  'snapshot:terminal',
  'snapshot:active',
  'snapshot:gone',
] as const satisfies readonly EventKey[]
const RECONCILE_EVENTS = [
  ...SNAPSHOT_EVENTS,
  'reconcile_failed',
  'reconcile_aborted',
] as const satisfies readonly EventKey[]
const SOCKET_EVENTS = [
  ...STATUS_EVENTS,
  ...INVOCATION_EVENTS,
  'cancel',
] as const satisfies readonly EventKey[]
export const ALL_EVENTS = [
  ...SOCKET_EVENTS,
  'reconcile_requested',
  ...RECONCILE_EVENTS,
] as const satisfies readonly EventKey[]

const TERMINAL = ['completed', 'failed', 'canceled'] as const satisfies readonly QueueState[]
const NOT_TERMINAL = ['none', 'pending', 'in_progress', 'waiting'] as const satisfies readonly QueueState[]
const COPY_NOT_TERMINAL = ['unknown', 'in_progress', 'canceled'] as const satisfies readonly CopyState[]

/**
 * The model, as data. Read top to bottom: the first row whose event, queue status, copy status and guard
 * all match decides. Every (state, event) pair matches some row (a test walks them all). docs/model.md
 * explains each row.
 */
// prettier-ignore
export const RULES: readonly Rule[] = [
  { id: 'E1', events: ALL_EVENTS, guard: 'evicted', apply: false, why: 'an evicted item is settled: any event for it is stale' },
  { id: 'U1', events: SOCKET_EVENTS, guard: 'redacted', apply: false, why: "a redacted companion says nothing about this user's runs" },

  { id: 'R0', events: ['reconcile_requested'], apply: true, why: 'a newer reconciliation request supersedes the older one' },
  { id: 'R4', events: RECONCILE_EVENTS, guard: 'requestStale', apply: false, why: "not the item's current request: a newer one superseded it" },
  { id: 'R4', events: ['snapshot:terminal', 'snapshot:active'], guard: 'snapshotOlder', apply: false, why: 'the snapshot is older than what the item already knows' },
  { id: 'R1', events: ['snapshot:terminal'], apply: true, why: "the server's persisted word beats the socket's: the item settles" },
  { id: 'R2', events: ['snapshot:active'], apply: true, why: 'no positive evidence: status unchanged, snapshot recorded' },
  { id: 'R3', events: ['snapshot:gone'], apply: true, why: 'the item is gone: a non-terminal item is canceled, and it settles' },
  { id: 'R5', events: ['reconcile_failed', 'reconcile_aborted'], apply: true, why: 'no evidence: only the reconciliation record changes' },

  { id: 'Q5', events: [...STATUS_EVENTS, 'cancel'], queue: TERMINAL, apply: false, why: 'terminal is absorbing: duplicates and flips are ignored' },
  { id: 'C1', events: ['cancel'], queue: NOT_TERMINAL, apply: true, why: 'queue cleared or bulk cancel: canceled at once, running copies canceled' },
  { id: 'Q6', events: STATUS_EVENTS, guard: 'sequenceNotNewer', apply: false, why: 'status_sequence not newer than the last applied: stale or duplicate' },
  { id: 'Q1', events: ['status:pending'], queue: ['pending'], apply: false, why: 'pending again: duplicate' },
  { id: 'Q1', events: STATUS_EVENTS, queue: ['none', 'pending'], apply: true, why: 'an unknown or pending item may move to any status' },
  { id: 'Q2', events: ['status:completed', 'status:failed', 'status:canceled', 'status:waiting'], queue: ['in_progress'], apply: true, why: 'a running item finishes or waits' },
  { id: 'Q3', events: ['status:in_progress', 'status:completed', 'status:failed', 'status:canceled'], queue: ['waiting'], apply: true, why: 'a waiting item resumes (nodes kept) or finishes' },
  { id: 'Q4', events: ['status:pending'], queue: ['in_progress', 'waiting'], apply: false, why: 'back to pending: stale' },
  { id: 'Q4', events: ['status:in_progress'], queue: ['in_progress'], apply: false, why: 'same status again: duplicate' },
  { id: 'Q4', events: ['status:waiting'], queue: ['waiting'], apply: false, why: 'same status again: duplicate' },

  { id: 'T1', events: ['started', 'progress'], queue: TERMINAL, apply: false, why: 'liveness after the item stopped is stale' },
  { id: 'I3', events: INVOCATION_EVENTS, copy: ['completed', 'failed'], apply: false, why: 'the copy is terminal: duplicate or late' },
  { id: 'T2', events: ['complete'], queue: TERMINAL, copy: COPY_NOT_TERMINAL, apply: true, why: 'the copy really finished: its output is real' },
  { id: 'T3', events: ['error'], queue: ['failed'], copy: COPY_NOT_TERMINAL, apply: true, why: 'the server sends failed before invocation_error' },
  { id: 'T4', events: ['error'], queue: ['completed', 'canceled'], apply: false, why: 'no node error after completed or canceled (the raw action still reaches the host)' },
  { id: 'I1', events: INVOCATION_EVENTS, copy: ['unknown'], apply: true, why: 'first word of a copy: started and progress run it, complete and error end it' },
  { id: 'I2', events: ['started'], copy: ['in_progress', 'canceled'], apply: false, why: 'started again: duplicate' },
  { id: 'I2', events: ['progress', 'complete', 'error'], copy: ['in_progress', 'canceled'], apply: true, why: 'a running copy progresses, completes or fails' },
]
