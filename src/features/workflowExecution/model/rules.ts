import type { CopyState, EventKey, QueueState, RuleId } from './types'

/** Named guards a rule may add to its state and event match (see guards.ts). */
export type GuardId =
  | 'evicted'
  | 'untracked'
  | 'redacted'
  | 'newSession'
  | 'requestStale'
  | 'snapshotOlder'
  | 'sequenceNotNewer'
  | 'inferredRun'
  | 'otherQueue'
  | 'otherUser'
  | 'settled'
  | 'unreconciled'
  | 'undelivered'
  | 'listingNotNewer'
  | 'listingPending'
  | 'awaitsOutput'

/** What an applied row does besides the event's own change: `replace` starts a new entity for the id. */
export type RuleEffect = 'replace'

export interface Rule {
  id: RuleId
  events: readonly EventKey[]
  /** Item queue status the row matches ('none' = not known yet); omitted = any. */
  queue?: readonly QueueState[]
  /** Status of the prepared copy the event is about ('unknown' = never seen); omitted = any. */
  copy?: readonly CopyState[]
  guard?: GuardId
  apply: boolean
  effect?: RuleEffect
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
const INVOCATION_EVENTS = [
  'started',
  'progress',
  'complete',
  'error',
  'cached',
  'blocked',
] as const satisfies readonly EventKey[]
const TERMINAL_STATUS_EVENTS = [
  'status:completed',
  'status:failed',
  'status:canceled',
] as const satisfies readonly EventKey[]
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
const HYDRATED_EVENTS = ['hydrated:terminal', 'hydrated:active'] as const satisfies readonly EventKey[]
/** Events that speak of one item's run and carry its ids: the only ones that may introduce an item. */
const ITEM_EVENTS = [
  ...STATUS_EVENTS,
  ...INVOCATION_EVENTS,
  'progress_state',
] as const satisfies readonly EventKey[]
const SOCKET_EVENTS = [...ITEM_EVENTS, 'cancel'] as const satisfies readonly EventKey[]
/** Events about an item the engine already tracks: they never introduce one. */
const TRACKED_ONLY_EVENTS = [
  'reconcile_requested',
  ...RECONCILE_EVENTS,
  'cancel',
  'settle',
  'deliver',
] as const satisfies readonly EventKey[]
export const ALL_EVENTS = [
  ...SOCKET_EVENTS,
  'reconcile_requested',
  ...RECONCILE_EVENTS,
  ...HYDRATED_EVENTS,
  'settle',
  'deliver',
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
  { id: 'E1', events: ALL_EVENTS, guard: 'evicted', apply: false, why: 'an evicted item is settled: any event for it is stale (unless it comes with a new session: N2)' },
  { id: 'N1', events: TRACKED_ONLY_EVENTS, guard: 'untracked', apply: false, why: 'the engine does not track this item: only a socket event or the server\'s list introduces one' },
  { id: 'U1', events: [...ITEM_EVENTS, ...HYDRATED_EVENTS], guard: 'redacted', apply: false, why: "a redacted companion says nothing about this user's runs" },
  { id: 'N2', events: ITEM_EVENTS, guard: 'newSession', apply: true, effect: 'replace', why: "another session under a tracked id: the server's database was wiped and the id reused, so the old entity is replaced" },

  { id: 'R0', events: ['reconcile_requested'], apply: true, why: 'a newer reconciliation request supersedes the older one' },
  { id: 'R4a', events: RECONCILE_EVENTS, guard: 'requestStale', apply: false, why: "not the item's current request: a newer one superseded it" },
  { id: 'R7', events: ['snapshot:terminal', 'snapshot:active'], guard: 'redacted', apply: true, why: "the server answers with another user's sanitized row: the run this client knew under the id is gone (a wiped database reused it)" },
  { id: 'R6', events: ['snapshot:terminal', 'snapshot:active'], guard: 'newSession', apply: true, effect: 'replace', why: 'the server holds another run under this id: the item is rebuilt from it alone' },
  { id: 'R4b', events: ['snapshot:terminal', 'snapshot:active'], guard: 'snapshotOlder', apply: false, why: 'the snapshot is older than what the item knows (unless the request was made because the sequence is in doubt)' },
  { id: 'R1', events: ['snapshot:terminal'], apply: true, why: "the server's persisted word beats the socket's: the item settles (its sequence too)" },
  { id: 'R2', events: ['snapshot:active'], apply: true, why: 'no positive evidence: status unchanged, snapshot recorded' },
  { id: 'R3', events: ['snapshot:gone'], apply: true, why: 'the item is gone: a non-terminal item is canceled, and it settles' },
  { id: 'R5', events: ['reconcile_failed', 'reconcile_aborted'], apply: true, why: 'no evidence: only the reconciliation record changes' },

  { id: 'H1', events: HYDRATED_EVENTS, guard: 'newSession', apply: true, effect: 'replace', why: 'the server lists another run under this id: the old entity is replaced' },
  { id: 'H2', events: ['hydrated:terminal'], guard: 'settled', apply: false, why: "already settled on the server's word" },
  { id: 'H5', events: HYDRATED_EVENTS, guard: 'snapshotOlder', apply: false, why: 'the listing is older than what the item already knows' },
  { id: 'H3', events: ['hydrated:terminal'], apply: true, why: 'what the server persisted while this client was away: the item settles with its nodes and outputs' },
  { id: 'H4', events: ['hydrated:active'], queue: TERMINAL, apply: false, why: 'terminal is absorbing: a listing taken before the item stopped' },
  { id: 'H7', events: ['hydrated:active'], queue: ['in_progress', 'waiting'], guard: 'listingPending', apply: false, why: 'back to pending: stale, as Q4a' },
  { id: 'H8', events: ['hydrated:active'], queue: ['in_progress', 'waiting'], guard: 'listingNotNewer', apply: false, why: 'without a newer sequence, a listing does not move a running or waiting item' },
  { id: 'H6', events: ['hydrated:active'], apply: true, why: 'the server says the item is pending, running or waiting: its status and start time' },

  { id: 'C3', events: ['cancel'], guard: 'otherQueue', apply: false, why: "a bulk event of another queue says nothing of this queue's items" },
  { id: 'C2', events: ['cancel'], guard: 'otherUser', apply: false, why: "the queue was cleared of another user's items" },
  { id: 'Q5', events: [...STATUS_EVENTS, 'cancel'], queue: TERMINAL, apply: false, why: 'terminal is absorbing: duplicates and flips are ignored' },
  { id: 'C1', events: ['cancel'], queue: NOT_TERMINAL, apply: true, why: 'queue cleared or bulk cancel: canceled at once, running copies canceled' },
  { id: 'Q6b', events: TERMINAL_STATUS_EVENTS, queue: NOT_TERMINAL, guard: 'sequenceNotNewer', apply: false, why: 'a terminal status the sequence calls stale while the item still runs: ignored, and the server is asked' },
  { id: 'Q6a', events: STATUS_EVENTS, guard: 'sequenceNotNewer', apply: false, why: 'status_sequence not newer than the last applied: stale or duplicate' },
  { id: 'Q1a', events: ['status:pending'], queue: ['pending'], apply: false, why: 'pending again: duplicate' },
  { id: 'Q1b', events: STATUS_EVENTS, queue: ['none', 'pending'], apply: true, why: 'an unknown or pending item may move to any status' },
  { id: 'Q7', events: ['status:in_progress'], queue: ['in_progress'], guard: 'inferredRun', apply: true, why: 'the in_progress a copy implied (I4) arrives: its sequence and start time are recorded' },
  { id: 'Q2', events: ['status:completed', 'status:failed', 'status:canceled', 'status:waiting'], queue: ['in_progress'], apply: true, why: 'a running item finishes or waits' },
  { id: 'Q3', events: ['status:in_progress', 'status:completed', 'status:failed', 'status:canceled'], queue: ['waiting'], apply: true, why: 'a waiting item resumes (nodes kept) or finishes' },
  { id: 'Q4a', events: ['status:pending'], queue: ['in_progress', 'waiting'], apply: false, why: 'back to pending: stale' },
  { id: 'Q4b', events: ['status:in_progress'], queue: ['in_progress'], apply: false, why: 'same status again: duplicate' },
  { id: 'Q4c', events: ['status:waiting'], queue: ['waiting'], apply: false, why: 'same status again: duplicate' },

  { id: 'S1', events: ['settle'], queue: TERMINAL, guard: 'unreconciled', apply: true, why: 'an origin that is not reconciled has nothing to wait for: its terminal status is final' },
  { id: 'S2', events: ['settle'], apply: false, why: 'not terminal, or its origin is reconciled: it settles when the server answers' },
  { id: 'O1', events: ['deliver'], guard: 'undelivered', apply: true, why: 'an output the host was told of (or an id it announced that no copy has yet): delivered once' },
  { id: 'O2', events: ['deliver'], apply: false, why: 'already delivered, or its copy has no output yet' },

  { id: 'T1', events: ['started', 'progress'], queue: TERMINAL, apply: false, why: 'liveness after the item stopped is stale' },
  { id: 'K2', events: ['cached'], queue: TERMINAL, apply: false, why: 'the item stopped: its persisted word says which nodes were served from cache' },
  { id: 'B2', events: ['blocked'], queue: TERMINAL, apply: false, why: "a node's non-terminal error after the item stopped is stale (the server does not persist it)" },
  { id: 'P2', events: ['progress_state'], queue: TERMINAL, apply: false, why: 'a whole-item progress snapshot after the item stopped is stale' },
  { id: 'I5', events: ['complete'], copy: ['completed'], guard: 'awaitsOutput', apply: true, why: 'a node served from cache, or finished by a progress snapshot, gets its output: attached, delivered once' },
  { id: 'I3', events: INVOCATION_EVENTS, copy: ['completed', 'failed'], apply: false, why: 'the copy is terminal: duplicate or late' },
  { id: 'T2', events: ['complete'], queue: TERMINAL, copy: COPY_NOT_TERMINAL, apply: true, why: 'the copy really finished: its output is real' },
  { id: 'T3', events: ['error'], queue: ['failed'], copy: COPY_NOT_TERMINAL, apply: true, why: 'the server sends failed before invocation_error' },
  { id: 'T4', events: ['error'], queue: ['completed', 'canceled'], apply: false, why: 'no node error after completed or canceled (the raw action still reaches the host)' },
  { id: 'B1', events: ['blocked'], copy: COPY_NOT_TERMINAL, apply: true, why: 'a non-terminal error (ComfyUI ExecutionBlocked): the node ends with its message, the item runs on' },
  { id: 'I4', events: INVOCATION_EVENTS, queue: ['none', 'pending'], copy: ['unknown'], apply: true, why: 'a copy runs, so its item runs: positive evidence of an in_progress this client missed' },
  { id: 'K1', events: ['cached'], copy: ['unknown'], apply: true, why: 'served from cache: the node completes without running, its output may follow' },
  { id: 'K3', events: ['cached'], apply: false, why: 'a node that ran was not served from cache' },
  { id: 'P1', events: ['progress_state'], apply: true, why: 'a whole-item progress snapshot: each listed node that is not terminal runs or finishes (none moves back); an item not known to run runs' },
  { id: 'I1', events: INVOCATION_EVENTS, copy: ['unknown'], apply: true, why: 'first word of a copy: started and progress run it, complete and error end it' },
  { id: 'I2a', events: ['started'], copy: ['in_progress', 'canceled'], apply: false, why: 'started again: duplicate' },
  { id: 'I2b', events: ['progress', 'complete', 'error'], copy: ['in_progress', 'canceled'], apply: true, why: 'a running copy progresses, completes or fails' },
]
