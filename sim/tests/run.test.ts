import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { Simulator } from '../types'
import { api, connect, hasNoNulls, isStatus } from './helpers'
import type { Recorded, TestClient } from './helpers'

const open: { sim?: Simulator; clients: TestClient[] } = { clients: [] }

async function setup(stepDelayMs = 3) {
  const sim = await startSimulator({ stepDelayMs })
  open.sim = sim
  const client = await connect(sim)
  open.clients.push(client)
  return { sim, client }
}

afterEach(async () => {
  open.clients.splice(0).forEach((client) => client.close())
  await open.sim?.close()
  open.sim = undefined
})

const idOf = (e: Recorded) => e.payload.invocation?.id as string

describe('a run', () => {
  it('a fan-out run emits in_progress, per-copy started/progress/complete, then completed, and GET returns results for every prepared copy', async () => {
    const { sim, client } = await setup()
    const { body } = await api(sim, 'POST', '/sim/enqueue', {
      scenario: 'fanout',
      params: { count: 3, steps: 3 },
    })
    const itemId = body.item_ids[0] as number
    await client.waitFor(() => client.of(itemId).some(isStatus('completed')))
    const events = client.of(itemId)

    const statuses = events.filter((e) => e.name === 'queue_item_status_changed')
    expect(statuses.map((e) => [e.payload.status, e.payload.status_sequence])).toEqual([
      ['pending', 0],
      ['in_progress', 1],
      ['completed', 2],
    ])
    const inProgressAt = events.findIndex(isStatus('in_progress'))
    const completedAt = events.findIndex(isStatus('completed'))
    const invocations = events.filter((e) => e.name.startsWith('invocation_'))
    expect(events.indexOf(invocations[0] as Recorded)).toBeGreaterThan(inProgressAt)
    expect(events.indexOf(invocations.at(-1) as Recorded)).toBeLessThan(completedAt)
    expect(invocations.at(-1)?.name).toBe('invocation_complete')

    // Every prepared copy: started, then its progress, then complete, nothing after.
    const copies = [...new Set(invocations.map(idOf))]
    for (const id of copies) {
      const names = invocations.filter((e) => idOf(e) === id).map((e) => e.name)
      expect(names[0]).toBe('invocation_started')
      expect(names.at(-1)).toBe('invocation_complete')
      expect(names.slice(1, -1).every((n) => n === 'invocation_progress')).toBe(true)
    }
    const denoiseCopies = copies.filter(
      (id) => invocations.find((e) => idOf(e) === id)?.payload.invocation?.type === 'denoise',
    )
    expect(denoiseCopies).toHaveLength(3)
    const denoiseSources = new Set(
      invocations.filter((e) => denoiseCopies.includes(idOf(e))).map((e) => e.payload.invocation_source_id),
    )
    expect(denoiseSources.size).toBe(1)
    const progress = invocations.filter(
      (e) => e.name === 'invocation_progress' && idOf(e) === denoiseCopies[0],
    )
    expect(progress.map((e) => e.payload.percentage)).toEqual([1 / 3, 2 / 3, 1])
    expect(new Set(progress.map((e) => e.payload.image?.dataURL)).size).toBe(3)
    expect(progress.every((e) => e.payload.device === null)).toBe(true)

    const item = (await api(sim, 'GET', `/api/v1/queue/default/i/${itemId}`)).body
    expect(item.status).toBe('completed')
    expect(hasNoNulls(item)).toBe(true)
    const session = item.session
    expect(Object.keys(session.results).sort()).toEqual([...copies].sort())
    expect(Object.keys(session.prepared_source_mapping).sort()).toEqual([...copies].sort())
    const denoiseSource = [...denoiseSources][0] as string
    expect([...session.source_prepared_mapping[denoiseSource]].sort()).toEqual([...denoiseCopies].sort())
    expect(session.results[denoiseCopies[0] as string].type).toBe('latents_output')
    // executed_history: each copy in execution order, its source id once all its copies ran.
    expect(session.executed_history.filter((id: string) => copies.includes(id))).toEqual(copies)
    expect(session.executed_history.indexOf(denoiseSource)).toBe(
      Math.max(...denoiseCopies.map((id) => session.executed_history.indexOf(id))) + 1,
    )
    expect(session.errors).toEqual({})
  })

  it('the simple scenario runs collection → iterate → add like fixture item 42', async () => {
    const { sim, client } = await setup()
    const [itemId] = sim.enqueueScenario('simple').item_ids as [number]
    await client.waitFor(() => client.of(itemId).some(isStatus('completed')))
    const completes = client.of(itemId).filter((e) => e.name === 'invocation_complete')
    expect(completes.map((e) => e.payload.result?.type)).toEqual([
      'integer_collection_output',
      'iterate_output',
      'iterate_output',
      'integer_output',
      'integer_output',
    ])
    expect(completes.slice(3).map((e) => e.payload.result?.value)).toEqual([11, 12])
    expect(completes[1]?.payload.result).toEqual({
      output_meta: null,
      item: 1,
      index: 0,
      total: 2,
      type: 'iterate_output',
    })
    const item = await sim.whenSettled(itemId)
    expect((item?.session as { executed: string[] }).executed).toHaveLength(8)
  })

  it('a GET during a run returns the session as enqueued, without results', async () => {
    const { sim, client } = await setup(5)
    const [itemId] = sim.enqueueScenario('long', { params: { steps: 200 } }).item_ids as [number]
    await client.waitFor(() => client.of(itemId).some((e) => e.name === 'invocation_progress'))
    const { body } = await api(sim, 'GET', `/api/v1/queue/default/i/${itemId}`)
    expect(body.status).toBe('in_progress')
    expect(body.started_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/)
    expect(body.completed_at).toBeUndefined()
    expect(body.session.results).toEqual({})
    expect(body.session.executed).toEqual([])
    expect(body.session.execution_graph.nodes).toEqual({})
    sim.cancel(itemId)
  })

  it('a node error sends failed before invocation_error and persists the error', async () => {
    const { sim, client } = await setup()
    const [itemId] = sim.enqueueScenario('node_error', { params: { steps: 2 } }).item_ids as [number]
    await client.waitFor(() => client.of(itemId).some((e) => e.name === 'invocation_error'))
    const events = client.of(itemId)
    const names = events.map((e) =>
      e.name === 'queue_item_status_changed' ? e.payload.status : e.payload.invocation?.type + ':' + e.name,
    )
    expect(names.slice(-4)).toEqual([
      'l2i:invocation_complete',
      'fail:invocation_started',
      'failed',
      'fail:invocation_error',
    ])
    const failedAt = events.findIndex(isStatus('failed'))
    const errorAt = events.findIndex((e) => e.name === 'invocation_error')
    const l2iCompleteAt = events.findIndex(
      (e) => e.name === 'invocation_complete' && e.payload.invocation?.type === 'l2i',
    )
    expect(l2iCompleteAt).toBeGreaterThan(-1)
    expect(l2iCompleteAt).toBeLessThan(failedAt)
    expect(failedAt).toBe(errorAt - 1)
    const failed = events[failedAt]?.payload
    expect(failed?.error_type).toBe('OutOfMemoryError')
    expect(failed?.status_sequence).toBe(2)
    const error = events[errorAt]?.payload
    expect(error?.error_message).toBe('CUDA out of memory. Tried to allocate 2.00 GiB')
    expect(error?.error_traceback).toContain('Traceback')

    const item = (await api(sim, 'GET', `/api/v1/queue/default/i/${itemId}`)).body
    expect(item.status).toBe('failed')
    expect(item.error_type).toBe('OutOfMemoryError')
    const failedId = error?.invocation?.id as string
    expect(item.session.errors).toEqual({
      [failedId]: 'OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB',
    })
    expect(Object.values(item.session.results).map((r) => (r as { type: string }).type)).toEqual([
      'latents_output',
      'image_output',
    ])
    expect(item.session.executed).not.toContain(failedId)
  })

  it('a node with unusable inputs fails with invocation_error and no invocation_started', async () => {
    const { sim, client } = await setup()
    const [itemId] = sim.enqueueScenario('bad_input').item_ids as [number]
    await client.waitFor(() => client.of(itemId).some((e) => e.name === 'invocation_error'))
    const error = client.of(itemId).find((e) => e.name === 'invocation_error')
    const startedIds = client
      .of(itemId)
      .filter((e) => e.name === 'invocation_started')
      .map(idOf)
    expect(startedIds).not.toContain(idOf(error as Recorded))
    expect(error?.payload.error_type).toBe('ValidationError')
  })

  it('subscribe_queue is required to receive events, and unsubscribe_queue stops them', async () => {
    const { sim, client } = await setup()
    const silent = await connect(sim, { subscribe: null })
    const other = await connect(sim, { subscribe: 'other' })
    const leaving = await connect(sim)
    open.clients.push(silent, other, leaving)
    leaving.socket.emit('unsubscribe_queue', { queue_id: 'default' })
    await new Promise((resolve) => setTimeout(resolve, 30))
    const [itemId] = sim.enqueueScenario('simple').item_ids as [number]
    await client.waitFor(() => client.of(itemId).some(isStatus('completed')))
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(client.events.length).toBeGreaterThan(5)
    expect(silent.events).toEqual([])
    expect(other.events).toEqual([])
    expect(leaving.events).toEqual([])
  })

  it('items run one after another in queue order; a prepended batch jumps the pending ones', async () => {
    const { sim, client } = await setup()
    const first = sim.enqueueScenario('fanout', { params: { count: 1, steps: 3 } }).item_ids
    await client.waitFor(() => client.events.some(isStatus('in_progress')))
    const second = sim.enqueueScenario('simple', { runs: 2 }).item_ids
    const jumped = sim.enqueueScenario('simple', { prepend: true }).item_ids
    expect(second).toHaveLength(2)
    await sim.whenIdle()
    await client.waitFor(() => client.events.filter(isStatus('completed')).length === 4)
    const started = client.events.filter(isStatus('in_progress')).map((e) => e.payload.item_id)
    expect(started).toEqual([...first, ...jumped, ...second])
    // Never two items in progress at once: each completes before the next starts.
    const statusOrder = client.events
      .filter((e) => e.name === 'queue_item_status_changed' && e.payload.status !== 'pending')
      .map((e) => e.payload.status)
    expect(statusOrder).toEqual([
      'in_progress',
      'completed',
      'in_progress',
      'completed',
      'in_progress',
      'completed',
      'in_progress',
      'completed',
    ])
  })
})
