import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createExecutionStore,
  invocationOutputReceived,
  type InvocationOutputReceivedPayload,
  type QueueItemExecution,
} from '../src'
import { createMockSocket } from '../src/testing'
import { PROPERTY_SEED } from './helpers/propertySeed'
import { stripNulls } from './helpers/wire'
import {
  deliverySpecArbitrary,
  scheduleDelivery,
  type DeliverySpec,
  type FetchBehaviour,
} from './property/delivery'
import {
  expectedNodeTable,
  truthOf,
  workflowCaseArbitrary,
  type ItemTruth,
  type WorkflowCase,
} from './property/workflowRuns'
import { nodesOf } from '../src/features/workflowExecution/model/read'
import { itemOf } from '../src/features/workflowExecution'

const RUNS = Number(process.env.CONVERGENCE_RUNS ?? 1000)
const PATH = process.env.CONVERGENCE_PATH

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

interface PendingAnswer {
  due: number
  itemId: number
  answer: () => unknown
  resolve: (value: unknown) => void
}

/** Delivers one generated case through a real store and listeners; returns what the property checks. */
async function deliver(workflow: WorkflowCase, spec: DeliverySpec) {
  const items: ItemTruth[] = workflow.runs.map((run, index) =>
    truthOf(run, index + 1, workflow.nodes, workflow.progressSteps),
  )
  const truthById = new Map(items.map((item) => [item.itemId, item]))
  const { delivered, emittedAt, end } = scheduleDelivery(items, spec)
  const clock = { now: 0, healthy: false, fetchIndex: 0 }
  const pending: PendingAnswer[] = []

  // The server's answer at a time: the row as it stood then (the session is saved when the item stops).
  const rowAt = (itemId: number, time: number) => {
    const truth = truthById.get(itemId)
    const emitted = emittedAt.get(itemId)
    if (!truth || !emitted) return null
    if (time >= emitted.terminal) return truth.final
    return time >= emitted.start ? truth.running : { ...truth.running, status: 'pending', status_sequence: 0 }
  }

  const store = createExecutionStore({
    devTools: false,
    devChecks: false,
    canceledReconcileDelayMs: 0,
    backoffMs: 0,
    retries: 2,
    fetchQueueItem: ({ itemId }) => {
      const behaviour: FetchBehaviour = clock.healthy ? 'ok' : (spec.fetches[clock.fetchIndex++] ?? 'ok')
      const requestedAt = clock.now
      trace.push(
        `t${requestedAt} GET item ${itemId}: ${typeof behaviour === 'string' ? behaviour : `slow ${behaviour.slow}`}`,
      )
      if (behaviour === 'fail') return Promise.reject(new Error('HTTP 500'))
      if (behaviour === 'ok') return Promise.resolve(rowAt(itemId, requestedAt))
      // A slow answer carries the row as it was when asked.
      return new Promise((resolve) =>
        pending.push({
          due: requestedAt + behaviour.slow,
          itemId,
          answer: () => rowAt(itemId, requestedAt),
          resolve,
        }),
      )
    },
  })
  const outputs: InvocationOutputReceivedPayload[] = []
  const trace: string[] = []
  store.startListening({
    actionCreator: invocationOutputReceived,
    effect: (action) => void outputs.push(action.payload),
  })
  const socket = createMockSocket()
  const unbind = store.bindSocket(socket)
  socket.connect()

  const answerDue = (all: boolean) => {
    for (const answer of [...pending]) {
      if (!all && answer.due > clock.now) continue
      pending.splice(pending.indexOf(answer), 1)
      answer.resolve(answer.answer())
    }
  }

  let next = 0
  for (clock.now = 0; clock.now <= end; clock.now += 1) {
    for (const window of spec.disconnects) {
      if (clock.now === window.at) {
        socket.disconnect()
        trace.push(`t${clock.now} disconnect`)
      }
      if (clock.now === window.at + window.length) {
        socket.connect()
        trace.push(`t${clock.now} reconnect`)
      }
    }
    const before = next
    while (next < delivered.length && (delivered[next]?.at ?? Infinity) <= clock.now) {
      const [name, payload] = (delivered[next] as { event: [string, Record<string, unknown>] }).event
      socket.serverPush(name, payload)
      const what = payload.status ?? (payload.invocation as { id?: string } | undefined)?.id ?? ''
      trace.push(
        `t${clock.now} ${socket.connected ? '' : '(lost) '}${name} item ${String(payload.item_id)} ${String(what)}`,
      )
      next += 1
    }
    const answers = pending.length
    answerDue(false)
    // Let the thunks run between steps; a step where nothing happened needs no turn.
    if (next > before || pending.length < answers || store.execution.inFlightCount() > 0) await tick()
  }

  // The run is over on the server. The connection comes back (if it was down) and the server is healthy.
  clock.healthy = true
  answerDue(true)
  trace.push(`t${clock.now} final reconnect, server healthy`)
  socket.reconnect()
  for (let spins = 0; store.execution.inFlightCount() > 0 || spins < 3; spins += 1) {
    answerDue(true)
    await new Promise((resolve) => setTimeout(resolve, store.execution.inFlightCount() > 0 ? 1 : 0))
    if (spins > 5_000) throw new Error('reconciliation never finished')
  }
  unbind()
  store.close()
  return { items, outputs, trace, state: store.getState().workflowExecution }
}

function describeTrace(trace: string[]): string {
  return trace.map((line, index) => `  ${String(index).padStart(3)} ${line}`).join('\n')
}

function checkConvergence(result: Awaited<ReturnType<typeof deliver>>) {
  const { items, outputs, state } = result
  const tracked = items.filter((item) => itemOf(state.items, item.itemId) !== undefined)
  for (const truth of tracked) {
    const item = itemOf(state.items, truth.itemId) as QueueItemExecution
    expect(item.status, `item ${truth.itemId} status`).toBe(truth.final.status)
    expect(item.settled, `item ${truth.itemId} settled`).toBe(true)
    const table = Object.fromEntries(
      Object.values(nodesOf(item)).map((node) => [
        node.nodeId,
        { status: node.status, outputs: stripNulls(node.outputs) },
      ]),
    )
    expect(table, `item ${truth.itemId} node table`).toEqual(expectedNodeTable(truth.final))
    expect(Object.values(nodesOf(item)).filter((node) => node.status === 'IN_PROGRESS')).toEqual([])
  }
  // Every persisted output of a tracked item reached the host exactly once; nothing else did.
  const delivered = outputs.map((output) => `${output.itemId}/${output.preparedId}`).sort()
  const expected = tracked
    .flatMap((truth) => truth.completed.map((copy) => `${truth.itemId}/${copy.preparedId}`))
    .sort()
  expect(delivered).toEqual(expected)
  // The current run of each origin is the tracked item the server started last.
  for (const origin of ['workflows', 'canvas']) {
    const last = tracked.filter((truth) => truth.origin === origin).at(-1)
    expect(state.activeItemIdByOrigin[origin], `active ${origin}`).toBe(last?.itemId)
  }
}

describe('convergence: whatever the socket does, the state ends as the server persisted it', () => {
  it(`holds for ${RUNS} generated runs delivered reordered, duplicated, dropped and disconnected`, async () => {
    await fc.assert(
      fc.asyncProperty(workflowCaseArbitrary, deliverySpecArbitrary, async (workflow, spec) => {
        const result = await deliver(workflow, spec)
        try {
          checkConvergence(result)
        } catch (error) {
          // The shrunk case's error carries the trace the client saw, step by step.
          throw new Error(`${(error as Error).message}\nclient trace:\n${describeTrace(result.trace)}`)
        }
      }),
      { numRuns: RUNS, seed: PROPERTY_SEED, ...(PATH === undefined ? {} : { path: PATH }) },
    )
  }, 3_600_000)

  it('the generator is not vacuous: runs end every way, and noise drops, duplicates and reorders events', () => {
    const samples = fc.sample(fc.tuple(workflowCaseArbitrary, deliverySpecArbitrary), {
      numRuns: 300,
      seed: 42,
    })
    const outcomes = new Set(samples.flatMap(([workflow]) => workflow.runs.map((run) => run.outcome.kind)))
    expect([...outcomes].sort()).toEqual(['canceled', 'completed', 'failed'])
    const schedules = samples.map(([workflow, spec]) =>
      scheduleDelivery(
        workflow.runs.map((run, index) => truthOf(run, index + 1, workflow.nodes, workflow.progressSteps)),
        spec,
      ),
    )
    const reordered = schedules.filter(({ delivered }) =>
      delivered.some((event, i) => i > 0 && event.order < (delivered[i - 1]?.order ?? 0)),
    )
    expect(reordered.length).toBeGreaterThan(50)
    expect(samples.some(([, spec]) => spec.disconnects.length > 0)).toBe(true)
  })
})
