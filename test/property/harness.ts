import { vi } from 'vitest'
import {
  createExecutionStore,
  invocationOutputReceived,
  type InvocationOutputReceivedPayload,
  type WorkflowExecutionState,
} from '../../src'
import { itemOf } from '../../src/features/workflowExecution'
import { createMockSocket } from '../../src/testing'
import { viewerOf, type Viewer } from './audience'
import { connectFrom, type ClientSpec } from './client'
import { recordDecisions, type DecisionLog } from './decisionLog'
import type { DeliverySpec } from './delivery'
import { createHearing, type Hearing } from './hearing'
import { createRest, type RestClock } from './rest'
import { createServer, runKey, scheduleCase, type Timeline } from './server'
import type { WorkflowCase } from './workflowRuns'

/*
 * Delivers one generated case through a real store, its listeners and the socket binding: the socket is
 * connected when the client is there, the server is up and no disconnect window is open; events reach it
 * as scheduled (or are lost while it is not connected); REST is answered from the server's rows at the
 * step it is asked. Besides the end state, it records what the client heard of: the expectations hold the
 * engine to that.
 */

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

export interface CaseResult {
  viewer: Viewer
  client: ClientSpec
  timeline: Timeline
  outputs: InvocationOutputReceivedPayload[]
  trace: string[]
  state: WorkflowExecutionState
  hearing: Hearing
  /** First-epoch runs (`runKey`) the client had settled on the server's word when the restart wiped them. */
  settledAtRestart: Set<string>
  /** The step the socket first connected (the final reconnect's if it never did before). */
  firstConnect: number
  decisions: DecisionLog
}

/**
 * The engine's backoff and timeouts run on timers: virtual ones here, one millisecond per step, so a retry
 * fires at the same step however busy the machine is, and a case replays exactly.
 */
export async function deliverCase(
  workflow: WorkflowCase,
  spec: DeliverySpec,
  client: ClientSpec,
): Promise<CaseResult> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  try {
    return await runCase(workflow, spec, client)
  } finally {
    vi.useRealTimers()
  }
}

async function runCase(workflow: WorkflowCase, spec: DeliverySpec, client: ClientSpec): Promise<CaseResult> {
  const viewer = viewerOf(workflow.users, client.admin)
  const timeline = scheduleCase(workflow, spec, viewer)
  const { delivered, end, restart } = timeline
  const clock: RestClock = { now: 0, healthy: false, connection: 0 }
  const trace: string[] = []
  const log = (line: string) => void trace.push(`t${clock.now} ${line}`)
  const { hearing, ...hear } = createHearing()
  const socket = createMockSocket()
  const rest = createRest({
    server: createServer(timeline, viewer),
    clock,
    fetches: spec.fetches,
    hydration: client.hydration,
    log,
    heard: hear.rows,
    connected: () => socket.connected,
  })
  const store = createExecutionStore({
    devTools: false,
    devChecks: false,
    canceledReconcileDelayMs: 0,
    backoffMs: 0,
    retries: 2,
    ...(viewer.currentUserId === null ? {} : { currentUserId: viewer.currentUserId }),
    fetchQueueItem: rest.fetchQueueItem,
    fetchQueueSnapshot: rest.fetchQueueSnapshot,
  })
  const decisions = recordDecisions(store)
  const outputs: InvocationOutputReceivedPayload[] = []
  store.startListening({
    actionCreator: invocationOutputReceived,
    effect: (action) => void outputs.push(action.payload),
  })
  const unbind = store.bindSocket(socket)
  const settledAtRestart = new Set<string>()
  let firstConnect: number | null = null
  const connect = (how: string) => {
    clock.connection += 1
    firstConnect ??= clock.now
    log(how)
    socket.connect()
  }

  const connectAt = connectFrom(client.connect, timeline.emittedUntil)
  const wantsConnection = (time: number) =>
    time >= connectAt &&
    !(restart && time >= restart.at && time < restart.until) &&
    !spec.disconnects.some((window) => time >= window.at && time < window.at + window.length)

  let next = 0
  for (clock.now = 0; clock.now <= end; clock.now += 1) {
    if (restart?.at === clock.now) {
      // What the client had settled on the server's word before the database was wiped.
      const { items } = store.getState().workflowExecution
      for (const truth of timeline.epochs[0]?.items ?? []) {
        const item = itemOf(items, truth.itemId)
        if (item?.sessionId === truth.sessionId && item.settled && item.reconciliation.phase === 'done')
          settledAtRestart.add(runKey(truth))
      }
      log('server restarts: database wiped, ids start again from 1')
    }
    const wanted = wantsConnection(clock.now)
    if (wanted !== socket.connected) {
      if (wanted) connect(firstConnect === null ? 'connect' : 'reconnect')
      else {
        log('disconnect')
        socket.disconnect()
      }
      // The connect's listing (or the disconnect's aborts) land before this step's events.
      await tick()
    }
    const before = next
    while (next < delivered.length && (delivered[next]?.at ?? Infinity) <= clock.now) {
      const scheduled = delivered[next] as (typeof delivered)[number]
      const [name, payload] = scheduled.event
      if (socket.connected) hear.event(scheduled)
      const what = payload.status ?? (payload.invocation as { id?: string } | undefined)?.id ?? ''
      const item = `${scheduled.itemId}${scheduled.epoch > 1 ? `@e${scheduled.epoch}` : ''}`
      log(
        `${socket.connected ? '' : '(lost) '}${name} item ${item} ${String(what)}${scheduled.full ? '' : ' (redacted)'}`,
      )
      socket.serverPush(name, payload)
      next += 1
    }
    const answers = rest.pendingCount()
    rest.answerDue(false)
    vi.advanceTimersByTime(1)
    // Let the thunks run between steps; a step where nothing happened needs no turn.
    if (next > before || rest.pendingCount() < answers || store.execution.inFlightCount() > 0) await tick()
  }

  // Every run is over on the server. The connection comes back (if it was down) and the server is healthy.
  clock.healthy = true
  rest.answerDue(true)
  await tick()
  const how = firstConnect === null ? 'first connect' : socket.connected ? 'final reconnect' : 'reconnect'
  socket.disconnect()
  connect(`${how}, server healthy`)
  for (let spins = 0; store.execution.inFlightCount() > 0 || spins < 3; spins += 1) {
    rest.answerDue(true)
    vi.advanceTimersByTime(1)
    await tick()
    if (spins > 5_000) throw new Error('reconciliation never finished')
  }
  unbind()
  store.close()
  return {
    viewer,
    client,
    timeline,
    outputs,
    trace,
    state: store.getState().workflowExecution,
    hearing,
    settledAtRestart,
    firstConnect: firstConnect ?? clock.now,
    decisions,
  }
}
