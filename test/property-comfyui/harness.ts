import { configureStore } from '@reduxjs/toolkit'
import { vi } from 'vitest'
import {
  invocationOutputReceived,
  type InvocationOutputReceivedPayload,
  type QueueStatus,
  type WorkflowExecutionState,
} from '../../src'
import { itemsOf } from '../../src/features/workflowExecution'
import { createComfyWorkflowExecution } from '../../src/comfyui'
import { executingFrame, statusFrame } from '../helpers/comfyWire'
import { recordDecisions, type DecisionLog } from '../property/decisionLog'
import { connectFrom, inWindow, type DeliverySpec } from './delivery'
import { BASE_URL, createRest, type RestClock } from './rest'
import { CLIENT_ID, queueRemainingAt, replayAt, scheduleCase, type ComfyCase, type Timeline } from './server'
import { createPropertySocket } from './socket'

/*
 * Delivers one generated case through a real store, the ComfyUI engine's listeners and its socket
 * binding: the client submits its prompts with the engine's own thunk, the socket is open when the
 * client is there and no disconnect window is, frames reach it in the server's order unless dropped or
 * sent while it is away, and the engine's REST requests are answered from the server's state at the step
 * they are made. Then every prompt is over, the server is healthy, and the client reconnects once more.
 */

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

export interface CaseResult {
  timeline: Timeline
  spec: DeliverySpec
  state: WorkflowExecutionState
  outputs: InvocationOutputReceivedPayload[]
  /** Every status each item ever had, in order (by prompt id). */
  statuses: Map<string, (QueueStatus | null)[]>
  /** Frames the adapter refused: none of the server's should be. */
  rejected: string[]
  trace: string[]
  decisions: DecisionLog
}

/** The engine's backoff and delays run on virtual timers, one millisecond per step: a case replays exactly. */
export async function deliverCase(workflow: ComfyCase, spec: DeliverySpec): Promise<CaseResult> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  try {
    return await runCase(workflow, spec)
  } finally {
    vi.useRealTimers()
  }
}

async function runCase(workflow: ComfyCase, spec: DeliverySpec): Promise<CaseResult> {
  const timeline = scheduleCase(workflow)
  const { frames, prompts, emittedUntil } = timeline
  const clock: RestClock = { now: 0, healthy: false }
  const trace: string[] = []
  const log = (line: string) => void trace.push(`t${clock.now} ${line}`)
  const rest = createRest({ timeline, spec, clock, log })
  const comfy = createComfyWorkflowExecution({
    baseUrl: BASE_URL,
    clientId: CLIENT_ID,
    fetch: rest.fetch,
    backoffMs: 1,
    maxBackoffMs: 8,
    retries: 2,
    lagRetries: 3,
    terminalReconcileDelayMs: 5,
  })
  const store = configureStore({
    reducer: { [comfy.reducerPath]: comfy.reducer },
    middleware: (getDefault) =>
      getDefault({ serializableCheck: false, immutableCheck: false }).concat(comfy.middleware),
    // Every action notifies at once: the decision log and the status history miss nothing.
    enhancers: (getDefault) => getDefault({ autoBatch: false }),
    devTools: false,
  })
  const decisions = recordDecisions(store)
  const statuses = new Map<string, (QueueStatus | null)[]>()
  let items = store.getState().workflowExecution.items
  store.subscribe(() => {
    const now = store.getState().workflowExecution.items
    if (now === items) return
    items = now
    for (const item of itemsOf(now)) {
      const seen = statuses.get(item.sessionId ?? `#${item.itemId}`) ?? []
      if (seen.at(-1) !== item.status) seen.push(item.status)
      statuses.set(item.sessionId ?? `#${item.itemId}`, seen)
    }
  })
  const outputs: InvocationOutputReceivedPayload[] = []
  comfy.startListening({
    actionCreator: invocationOutputReceived,
    effect: (action) => void outputs.push(action.payload),
  })
  const socket = createPropertySocket(CLIENT_ID)
  const rejected: string[] = []
  socket.socket.on('rejected', (rejection) => {
    rejected.push(`${rejection.type ?? '(binary)'}: ${JSON.stringify(rejection.issues)}`)
    log(`(rejected) ${rejection.type}`)
  })
  const unbind = comfy.bindSocket(socket.socket, store.dispatch)
  const labelOf = new Map(prompts.map((prompt) => [prompt.promptId, prompt.label]))

  /** The socket opens: the server greets it with its sid, and replays the node of this client's prompt that runs. */
  const open = (how: string) => {
    log(how)
    socket.open()
    socket.push(statusFrame(queueRemainingAt(timeline, clock.now), CLIENT_ID))
    const replay = replayAt(timeline, clock.now)
    if (replay !== null) {
      log(`executing ${replay} (replay, no prompt id)`)
      socket.push(executingFrame(replay, null))
    }
  }
  const connectAt = connectFrom(spec.connect, emittedUntil)
  const wantsConnection = (time: number) =>
    time >= connectAt && !inWindow(spec.disconnects, emittedUntil, time)
  let opened = false
  let cursor = 0
  const draw = () => spec.noise[cursor++ % spec.noise.length] ?? 0

  const end = Math.max(emittedUntil, ...frames.map((frame) => frame.at + 1))
  let next = 0
  for (clock.now = 0; clock.now <= end; clock.now += 1) {
    let busy = false
    for (const prompt of prompts) {
      if (!prompt.own || prompt.submitAt !== clock.now) continue
      log(`submit ${prompt.label}`)
      void store.dispatch(comfy.submitPrompt({ prompt: prompt.graph.prompt, promptId: prompt.promptId }))
      busy = true
    }
    const wanted = wantsConnection(clock.now)
    if (wanted !== socket.connected) {
      if (wanted) open(opened ? 'reconnect' : 'connect')
      else {
        log('disconnect')
        socket.drop()
      }
      opened = true
      await tick()
      busy = true
    }
    while (next < frames.length && (frames[next]?.at ?? Infinity) <= clock.now) {
      const frame = frames[next] as (typeof frames)[number]
      next += 1
      const toThisClient = frame.audience === 'all' || frame.audience === 'clientOrAll' || frame.prompt.own
      const label = `${frame.label} (${labelOf.get(frame.prompt.promptId)})`
      if (!toThisClient) continue
      const dropped = draw() < spec.dropRate
      if (!socket.connected) log(`(lost) ${label}`)
      else if (dropped) log(`(dropped) ${label}`)
      else {
        log(label)
        socket.push(frame.wire)
        busy = true
      }
    }
    if (rest.answerDue(false) > 0) busy = true
    vi.advanceTimersByTime(1)
    if (busy || comfy.inFlightCount() > 0) await tick()
  }

  // Every prompt is over on the server. The server is healthy, and the client reconnects.
  clock.healthy = true
  rest.answerDue(true)
  await tick()
  if (socket.connected) {
    log('disconnect')
    socket.drop()
  }
  open(opened ? 'final reconnect, server healthy' : 'first connect, server healthy')
  for (let spins = 0; comfy.inFlightCount() > 0 || rest.pendingCount() > 0 || spins < 3; spins += 1) {
    rest.answerDue(true)
    vi.advanceTimersByTime(1)
    await tick()
    if (spins > 5_000) throw new Error('reconciliation never finished')
  }
  unbind()
  comfy.close()
  return {
    timeline,
    spec,
    state: store.getState().workflowExecution,
    outputs,
    statuses,
    rejected,
    trace,
    decisions,
  }
}
