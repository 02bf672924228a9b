// A workflow-call parent: it waits while its child item runs, then resumes and finishes.
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import { withoutNulls } from '../payloads'
import type { Simulator } from '../types'
import { api, connect, isStatus } from './helpers'
import type { Recorded, TestClient } from './helpers'

const open: { sim?: Simulator; clients: TestClient[] } = { clients: [] }

afterEach(async () => {
  open.clients.splice(0).forEach((client) => client.close())
  await open.sim?.close()
  open.sim = undefined
})

async function setup(stepDelayMs = 3) {
  const sim = await startSimulator({
    stepDelayMs,
    cancelPersistDelayMs: 20,
    features: { snapshotEndpoints: true },
  })
  const client = await connect(sim)
  open.sim = sim
  open.clients.push(client)
  return { sim, client }
}

type Persisted = {
  status: string
  status_sequence: number
  origin?: string
  destination?: string
  batch_id: string
  user_id: string
  session: {
    results: Record<string, { type: string; child_item_id?: number }>
    errors: Record<string, string>
    executed: string[]
    prepared_source_mapping: Record<string, string>
  }
}

const statusesOf = (events: Recorded[]) =>
  events
    .filter((e) => e.name === 'queue_item_status_changed')
    .map((e) => [e.payload.status, e.payload.status_sequence])

/** What the socket said each prepared copy returned (as REST shows it: without nulls). */
const resultsOf = (events: Recorded[]) =>
  withoutNulls(
    Object.fromEntries(
      events
        .filter((e) => e.name === 'invocation_complete')
        .map((e) => [e.payload.invocation?.id, e.payload.result]),
    ),
  )

const typeOf = (e: Recorded) => e.payload.invocation?.type

describe('workflow call', () => {
  it('the parent goes in_progress → waiting while its child runs, then waiting → pending → in_progress with a new started_at, and completes', async () => {
    const { sim, client } = await setup()
    const [parent] = sim.enqueueScenario('workflow_call', {
      origin: 'canvas',
      destination: 'gallery',
      params: { steps: 3 },
    }).item_ids as [number]
    const child = parent + 1
    await sim.whenIdle()
    await client.waitFor(() => client.of(parent).some(isStatus('completed')))

    expect(statusesOf(client.of(parent))).toEqual([
      ['pending', 0],
      ['in_progress', 1],
      ['waiting', 2],
      ['pending', 3],
      ['in_progress', 4],
      ['completed', 5],
    ])
    expect(statusesOf(client.of(child))).toEqual([
      ['pending', 0],
      ['in_progress', 1],
      ['completed', 2],
    ])
    const [first, resumed] = client.of(parent).filter(isStatus('in_progress'))
    expect(String(resumed?.payload.started_at) > String(first?.payload.started_at)).toBe(true)
    const childPending = client.of(child).find(isStatus('pending'))?.payload
    expect(childPending).toMatchObject({ origin: 'canvas', destination: null, user_id: 'system' })
    expect(childPending?.batch_id).not.toBe(first?.payload.batch_id)

    // One stream, in the server's order: the child runs entirely inside the parent's wait.
    const at = (predicate: (e: Recorded) => boolean) => client.events.findIndex(predicate)
    const ofItem = (id: number, status: string) => (e: Recorded) =>
      e.payload.item_id === id && isStatus(status)(e)
    const callStarted = at((e) => e.name === 'invocation_started' && typeOf(e) === 'workflow_call')
    const waiting = at(ofItem(parent, 'waiting'))
    const childEvents = client.events
      .map((e, i) => [e, i] as const)
      .filter(([e]) => e.payload.item_id === child)
    const resumedAt = client.events.indexOf(resumed as Recorded)
    const callCompleted = at((e) => e.name === 'invocation_complete' && typeOf(e) === 'workflow_call')
    expect(callStarted).toBeLessThan(waiting)
    expect(childEvents.every(([, i]) => i > waiting && i < resumedAt)).toBe(true)
    expect(childEvents.map(([e]) => typeOf(e) ?? e.payload.status)).toEqual([
      'pending',
      'in_progress',
      'denoise',
      'denoise',
      'denoise',
      'denoise',
      'denoise',
      'l2i',
      'l2i',
      'completed',
    ])
    expect(callCompleted).toBeGreaterThan(resumedAt)
    const parentAfterResume = client.events
      .slice(resumedAt + 1)
      .filter((e) => e.payload.item_id === parent && e.name.startsWith('invocation_'))
    expect(parentAfterResume.map((e) => `${typeOf(e)}:${e.name}`)).toEqual([
      'workflow_call:invocation_complete',
      'l2i:invocation_started',
      'l2i:invocation_complete',
    ])

    // The persisted sessions are what the sockets said.
    const parentItem = sim.getQueueItem(parent) as Persisted
    const childItem = sim.getQueueItem(child) as Persisted
    expect(parentItem).toMatchObject({ status: 'completed', status_sequence: 5, origin: 'canvas' })
    expect(childItem).toMatchObject({ status: 'completed', status_sequence: 2, origin: 'canvas' })
    expect(childItem.destination).toBeUndefined()
    expect(parentItem.session.results).toEqual(resultsOf(client.of(parent)))
    expect(childItem.session.results).toEqual(resultsOf(client.of(child)))
    const callResult = Object.values(parentItem.session.results).find(
      (r) => r.type === 'workflow_call_output',
    )
    expect(callResult?.child_item_id).toBe(child)
    expect(parentItem.session.executed).toHaveLength(6)
  })

  it('while the parent waits, GET returns the session saved at the wait and current is the child', async () => {
    const { sim, client } = await setup(5)
    const [parent] = sim.enqueueScenario('workflow_call', { params: { steps: 40 } }).item_ids as [number]
    const child = parent + 1
    await client.waitFor(() => client.of(child).some((e) => e.name === 'invocation_progress'))
    const waiting = (await api(sim, 'GET', `/api/v1/queue/default/i/${parent}`)).body as Persisted
    expect(waiting.status).toBe('waiting')
    // The denoise before the call is saved; the call itself has not run yet.
    expect(waiting.session.results).toEqual(resultsOf(client.of(parent)))
    expect(Object.values(waiting.session.results).map((r) => r.type)).toEqual(['latents_output'])
    expect((await api(sim, 'GET', '/api/v1/queue/default/current')).body).toMatchObject({
      item_id: child,
      status: 'in_progress',
    })
    const status = (await api(sim, 'GET', '/api/v1/queue/default/status')).body.queue
    expect(status).toMatchObject({ item_id: child, waiting: 1, in_progress: 1 })
    sim.cancel(parent)
    await sim.whenIdle()
  })

  it('the child and the resumed parent run before items queued after the parent', async () => {
    const { sim, client } = await setup()
    const [parent] = sim.enqueueScenario('workflow_call', { params: { steps: 2 } }).item_ids as [number]
    const [later] = sim.enqueueScenario('simple').item_ids as [number]
    const child = later + 1
    await sim.whenIdle()
    await client.waitFor(() => client.of(later).some(isStatus('completed')))
    const running = client.events.filter(isStatus('in_progress')).map((e) => e.payload.item_id)
    expect(running).toEqual([parent, child, parent, later])
  })

  it('canceling a waiting parent cancels its child, and the results the parent had are saved', async () => {
    const { sim, client } = await setup(5)
    const [parent] = sim.enqueueScenario('workflow_call', { params: { steps: 40 } }).item_ids as [number]
    const child = parent + 1
    await client.waitFor(() => client.of(child).some((e) => e.name === 'invocation_progress'))
    const canceled = await api(sim, 'PUT', `/api/v1/queue/default/i/${parent}/cancel`)
    expect(canceled.body).toMatchObject({ status: 'canceled', status_sequence: 3 })
    const parentItem = (await sim.whenSettled(parent)) as Persisted
    const childItem = (await sim.whenSettled(child)) as Persisted
    await sim.whenIdle()
    expect(statusesOf(client.of(parent)).map(([status]) => status)).toEqual([
      'pending',
      'in_progress',
      'waiting',
      'canceled',
    ])
    expect(statusesOf(client.of(child)).map(([status]) => status)).toEqual([
      'pending',
      'in_progress',
      'canceled',
    ])
    expect(childItem.status).toBe('canceled')
    expect(parentItem.session.results).toEqual(resultsOf(client.of(parent)))
    // The call node was interrupted: neither complete nor error.
    const call = client.of(parent).filter((e) => typeOf(e) === 'workflow_call')
    expect(call.map((e) => e.name)).toEqual(['invocation_started'])
  })

  it('a canceled child cancels the parent that waits for it', async () => {
    const { sim, client } = await setup(5)
    const [parent] = sim.enqueueScenario('workflow_call', { params: { steps: 40 } }).item_ids as [number]
    const child = parent + 1
    await client.waitFor(() => client.of(child).some((e) => e.name === 'invocation_progress'))
    sim.cancel(child)
    expect(((await sim.whenSettled(parent)) as Persisted).status).toBe('canceled')
    await sim.whenIdle()
    expect(statusesOf(client.of(parent))).toEqual([
      ['pending', 0],
      ['in_progress', 1],
      ['waiting', 2],
      ['canceled', 3],
    ])
  })

  it('a child that fails fails its parent at the call node: failed, then invocation_error, and the error is saved', async () => {
    const { sim, client } = await setup()
    const childGraph = {
      nodes: { boom: { id: 'boom', type: 'fail', error_message: 'child broke' } },
      edges: [],
    }
    const graph = {
      nodes: {
        a: { id: 'a', type: 'add', a: 1, b: 2 },
        call: { id: 'call', type: 'workflow_call', graph: childGraph },
      },
      edges: [{ source: { node_id: 'a', field: 'value' }, destination: { node_id: 'call', field: 'value' } }],
    }
    const [parent] = sim.enqueue({ batch: { graph } }).item_ids as [number]
    const child = parent + 1
    const parentItem = (await sim.whenSettled(parent)) as Persisted
    await client.waitFor(() => client.of(parent).some((e) => e.name === 'invocation_error'))
    expect(statusesOf(client.of(child)).map(([status]) => status)).toEqual([
      'pending',
      'in_progress',
      'failed',
    ])
    const tail = client.of(parent).slice(-2)
    expect(tail.map((e) => e.payload.status ?? e.name)).toEqual(['failed', 'invocation_error'])
    expect(tail[0]?.payload.error_type).toBe('WorkflowCallError')
    expect(tail[1]?.payload.invocation?.type).toBe('workflow_call')
    const callId = tail[1]?.payload.invocation?.id as string
    expect(parentItem.session.errors).toEqual({ [callId]: expect.stringMatching(/^WorkflowCallError: /) })
    expect(Object.values(parentItem.session.results).map((r) => r.type)).toEqual(['integer_output'])
  })

  it('a bad graph inside a workflow_call is a 422 at enqueue, and calls nest at most 4 deep', async () => {
    const { sim } = await setup()
    const callOf = (graph: unknown) => ({
      nodes: { call: { id: 'call', type: 'workflow_call', graph } },
      edges: [],
    })
    const bad = await api(sim, 'POST', '/api/v1/queue/default/enqueue_batch', {
      batch: { graph: callOf({ nodes: { x: { id: 'x', type: 'teleport' } } }) },
    })
    expect(bad.status).toBe(422)
    expect(bad.body.detail).toMatch(/workflow_call node call: .*teleport/)
    const leaf = { nodes: { a: { id: 'a', type: 'add' } }, edges: [] }
    const nested = (depth: number): unknown => (depth === 0 ? leaf : callOf(nested(depth - 1)))
    expect(
      (await api(sim, 'POST', '/api/v1/queue/default/enqueue_batch', { batch: { graph: nested(5) } })).status,
    ).toBe(422)
    const deepest = await api(sim, 'POST', '/api/v1/queue/default/enqueue_batch', {
      batch: { graph: nested(4) },
    })
    expect(deepest.status).toBe(200)
    const top = deepest.body.item_ids[0] as number
    expect(((await sim.whenSettled(top)) as Persisted).status).toBe('completed')
    // Four calls: four children, each its own item.
    expect((await api(sim, 'GET', '/api/v1/queue/default/item_ids')).body.total_count).toBe(5)
  })
})
