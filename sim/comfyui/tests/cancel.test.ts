import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { defaultWorkflow } from '../index'
import { api, closeAll, connect, ended, isJson, startSim } from './helpers'

afterEach(closeAll)

describe('removing a pending prompt', () => {
  it('POST /queue delete: gone from /queue, never in history, /api/jobs 404, no frame but status', async () => {
    const sim = await startSim()
    const client = await connect(sim, { clientId: 'c' })
    const running = sim.submit({ prompt: defaultWorkflow({ steps: 500 }), client_id: 'c' })
    const pending = sim.submit({ prompt: defaultWorkflow({ steps: 1, seed: 2 }), client_id: 'c' })
    const settled = sim.whenSettled(pending.prompt_id).catch((error: Error) => error)
    expect((await api(sim, 'GET', `/api/jobs/${pending.prompt_id}`)).body.status).toBe('pending')
    const statuses = client.ofType('status').length

    const deleted = await api(sim, 'POST', '/queue', { delete: [pending.prompt_id, running.prompt_id] })
    expect(deleted).toEqual({ status: 200, body: null })
    const queue = (await api(sim, 'GET', '/queue')).body
    // Pending only: the running prompt is untouched.
    expect(queue.queue_running.map((item: unknown[]) => item[1])).toEqual([running.prompt_id])
    expect(queue.queue_pending).toEqual([])
    expect(await settled).toMatchObject({ status: 404 })

    await api(sim, 'POST', '/interrupt')
    await client.waitFor(ended(running.prompt_id))
    expect((await api(sim, 'GET', `/history/${pending.prompt_id}`)).body).toEqual({})
    expect(await api(sim, 'GET', `/api/jobs/${pending.prompt_id}`)).toEqual({
      status: 404,
      body: { error: 'Job not found' },
    })
    expect(client.frames.filter((f) => f.kind === 'json' && f.data.prompt_id === pending.prompt_id)).toEqual(
      [],
    )
    expect(client.ofType('status').length).toBeGreaterThan(statuses)
  })

  it('POST /queue clear wipes every pending prompt; /api/jobs/{id}/cancel dequeues one', async () => {
    const sim = await startSim()
    sim.submit({ prompt: defaultWorkflow({ steps: 500 }) })
    const a = sim.submit({ prompt: defaultWorkflow({ seed: 2 }) })
    const b = sim.submit({ prompt: defaultWorkflow({ seed: 3 }) })
    const c = sim.submit({ prompt: defaultWorkflow({ seed: 4 }) })
    expect((await api(sim, 'POST', `/api/jobs/${a.prompt_id}/cancel`)).body).toEqual({ cancelled: true })
    expect(
      (await api(sim, 'GET', '/queue')).body.queue_pending.map((item: unknown[]) => item[1]).sort(),
    ).toEqual([b.prompt_id, c.prompt_id].sort())
    await api(sim, 'POST', '/queue', { clear: true })
    expect((await api(sim, 'GET', '/queue')).body.queue_pending).toEqual([])
    expect((await api(sim, 'POST', `/api/jobs/${b.prompt_id}/cancel`)).body).toEqual({ cancelled: false })
  })
})

describe('interrupting the running prompt', () => {
  it('sends execution_interrupted, persists status_str error with that message, and the job is cancelled', async () => {
    const sim = await startSim()
    const client = await connect(sim, { clientId: 'c' })
    const { prompt_id: promptId } = sim.submit({ prompt: defaultWorkflow({ steps: 500 }), client_id: 'c' })
    await client.waitFor((frames) => frames.some(isJson('progress', promptId)))
    // Another prompt's id interrupts nothing.
    await api(sim, 'POST', '/interrupt', { prompt_id: randomUUID() })
    expect(client.frames.some(isJson('execution_interrupted'))).toBe(false)
    await api(sim, 'POST', '/interrupt', { prompt_id: promptId })
    await client.waitFor(ended(promptId))

    const interrupted = client.ofType('execution_interrupted')
    expect(interrupted.map((f) => f.data)).toEqual([
      {
        prompt_id: promptId,
        node_id: '3',
        node_type: 'KSampler',
        executed: ['4', '5', '6', '7'],
        timestamp: expect.any(Number),
      },
    ])
    expect(client.frames.some(isJson('execution_success', promptId))).toBe(false)
    const entry = (await api(sim, 'GET', `/history/${promptId}`)).body[promptId]
    expect(entry.status.status_str).toBe('error')
    expect(entry.status.completed).toBe(false)
    expect(entry.status.messages.at(-1)).toEqual(['execution_interrupted', interrupted[0]?.data])
    expect(entry.outputs).toEqual({})
    const job = (await api(sim, 'GET', `/api/jobs/${promptId}`)).body
    expect(job.status).toBe('cancelled')
    expect(job.execution_error).toBeUndefined()
  })

  it('an interrupt without a prompt_id stops whatever runs; the next prompt then runs', async () => {
    const sim = await startSim()
    const first = sim.submit({ prompt: defaultWorkflow({ steps: 500 }) })
    const second = sim.submit({ prompt: defaultWorkflow({ steps: 1, seed: 2 }) })
    await new Promise((resolve) => setTimeout(resolve, 20))
    await api(sim, 'POST', '/api/interrupt')
    expect((await sim.whenSettled(first.prompt_id)).status.status_str).toBe('error')
    expect((await sim.whenSettled(second.prompt_id)).status.status_str).toBe('success')
  })
})
