import { afterEach, describe, expect, it } from 'vitest'
import { defaultWorkflow } from '../index'
import { api, closeAll, connect, describeFrame, ended, isJson, runFrames, sleep, startSim } from './helpers'
import type { TestClient } from './helpers'

afterEach(closeAll)

const executingNodes = (client: TestClient, promptId: string) =>
  client
    .ofType('executing')
    .filter((f) => f.data.prompt_id === promptId && f.data.node !== null)
    .map((f) => f.data.node as string)

describe('historyLag', () => {
  it('writes history that long after execution_success: {} and in_progress right after the frame, filled after executing null', async () => {
    const sim = await startSim({ delivery: { historyLag: 400 } })
    const client = await connect(sim, { clientId: 'c' })
    const { prompt_id: promptId } = sim.submit({ prompt: defaultWorkflow({ steps: 1 }), client_id: 'c' })
    await client.waitFor((frames) => frames.some(isJson('execution_success', promptId)))
    expect((await api(sim, 'GET', `/history/${promptId}`)).body).toEqual({})
    expect((await api(sim, 'GET', `/api/jobs/${promptId}`)).body.status).toBe('in_progress')
    expect((await api(sim, 'GET', '/queue')).body.queue_running[0][1]).toBe(promptId)
    expect(ended(promptId)(client.frames)).toBe(false)
    await client.waitFor(ended(promptId))
    expect(Object.keys((await api(sim, 'GET', `/history/${promptId}`)).body)).toEqual([promptId])
    expect(runFrames(client, promptId).map(describeFrame).slice(-3)).toEqual([
      'execution_success',
      'status',
      'executing:null',
    ])
  })
})

describe('cachedNodes', () => {
  it('serves a rerun from cache: every node in execution_cached, no executing, executed with the cached output', async () => {
    const sim = await startSim({ delivery: { cachedNodes: true } })
    const client = await connect(sim, { clientId: 'c' })
    const prompt = defaultWorkflow({ steps: 2 })
    const first = sim.submit({ prompt, client_id: 'c' })
    const firstEntry = await sim.whenSettled(first.prompt_id)
    const second = sim.submit({ prompt, client_id: 'c' })
    const entry = await sim.whenSettled(second.prompt_id)
    await client.waitFor(ended(second.prompt_id))

    const cached = client.ofType('execution_cached').find((f) => f.data.prompt_id === second.prompt_id)
    expect([...(cached?.data.nodes ?? [])].sort()).toEqual(['3', '4', '5', '6', '7', '8', '9'])
    expect(executingNodes(client, second.prompt_id)).toEqual([])
    // Only the visited cached node (the output) gets executed and its finished snapshot.
    expect(runFrames(client, second.prompt_id).map(describeFrame)).toEqual([
      'execution_start',
      'execution_cached',
      'executed:9',
      'progress_state',
      'execution_success',
      'status',
      'executing:null',
    ])
    expect(entry.outputs).toEqual(firstEntry.outputs)
    expect(entry.status.messages.map(([type]) => type)).toEqual([
      'execution_start',
      'execution_cached',
      'execution_success',
    ])
  })

  it('reruns only what changed: a new seed runs the sampler and what follows it', async () => {
    const sim = await startSim({ delivery: { cachedNodes: true } })
    const client = await connect(sim, { clientId: 'c' })
    await sim.whenSettled(
      sim.submit({ prompt: defaultWorkflow({ steps: 1, seed: 1 }), client_id: 'c' }).prompt_id,
    )
    const { prompt_id: promptId } = sim.submit({
      prompt: defaultWorkflow({ steps: 1, seed: 2 }),
      client_id: 'c',
    })
    await client.waitFor(ended(promptId))
    const cached = client.ofType('execution_cached').find((f) => f.data.prompt_id === promptId)
    expect([...(cached?.data.nodes ?? [])].sort()).toEqual(['4', '5', '6', '7'])
    expect(executingNodes(client, promptId)).toEqual(['3', '8', '9'])
  })

  it('is off by default: a rerun runs every node again', async () => {
    const sim = await startSim()
    const client = await connect(sim, { clientId: 'c' })
    const prompt = defaultWorkflow({ steps: 1 })
    await sim.whenSettled(sim.submit({ prompt, client_id: 'c' }).prompt_id)
    const { prompt_id: promptId } = sim.submit({ prompt, client_id: 'c' })
    await client.waitFor(ended(promptId))
    expect(client.ofType('execution_cached').at(-1)?.data.nodes).toEqual([])
    expect(executingNodes(client, promptId)).toHaveLength(7)
  })
})

describe('blockedNode', () => {
  it('sends a non-terminal ExecutionBlocked error, not persisted, and the prompt succeeds without that branch', async () => {
    const sim = await startSim({ delivery: { blockedNode: '8' } })
    const client = await connect(sim, { clientId: 'c' })
    const { prompt_id: promptId } = sim.submit({ prompt: defaultWorkflow({ steps: 1 }), client_id: 'c' })
    await client.waitFor(ended(promptId))
    const errors = client.ofType('execution_error')
    expect(errors.map((f) => f.data)).toEqual([
      {
        prompt_id: promptId,
        node_id: '8',
        node_type: 'VAEDecode',
        executed: ['4', '5', '6', '7', '3'],
        exception_message: expect.any(String),
        exception_type: 'ExecutionBlocked',
        traceback: [],
        current_inputs: [],
        current_outputs: [],
      },
    ])
    expect(client.frames.some(isJson('execution_success', promptId))).toBe(true)
    const entry = await sim.whenSettled(promptId)
    expect(entry.status.status_str).toBe('success')
    expect(entry.status.messages.map(([type]) => type)).toEqual([
      'execution_start',
      'execution_cached',
      'execution_success',
    ])
    // The save downstream of the blocked decode ran and produced nothing.
    expect(entry.outputs).toEqual({})
    expect(executingNodes(client, promptId)).toContain('9')
  })
})

describe('failSeed', () => {
  it('fails the sampler halfway with a torch.OutOfMemoryError execution_error; history error, job failed', async () => {
    const sim = await startSim({ failSeed: 13 })
    const client = await connect(sim, { clientId: 'c' })
    const { prompt_id: promptId } = sim.submit({
      prompt: defaultWorkflow({ steps: 4, seed: 13 }),
      client_id: 'c',
    })
    await client.waitFor(ended(promptId))
    expect(client.ofType('progress').map((f) => f.data.value)).toEqual([1, 2])
    const [error] = client.ofType('execution_error')
    expect(error?.data).toMatchObject({
      prompt_id: promptId,
      node_id: '3',
      node_type: 'KSampler',
      executed: ['4', '5', '6', '7'],
      exception_type: 'torch.OutOfMemoryError',
      current_outputs: ['4', '5', '6', '7'],
      timestamp: expect.any(Number),
    })
    expect(error?.data.traceback.length).toBeGreaterThan(0)
    expect(error?.data.current_inputs.seed).toEqual([13])
    expect(error?.data.current_inputs.model).toEqual([expect.stringContaining('ModelPatcher')])
    // The failed node's last snapshot still says running: core never sends `error`.
    const last = client.ofType('progress_state').at(-1)
    expect(last?.data.nodes['3'].state).toBe('running')
    const job = (await api(sim, 'GET', `/api/jobs/${promptId}`)).body
    expect(job.status).toBe('failed')
    expect(job.execution_error).toEqual(error?.data)
    const entry = await sim.whenSettled(promptId)
    expect(entry.status).toMatchObject({ status_str: 'error', completed: false })
    expect(entry.status.messages.at(-1)).toEqual(['execution_error', error?.data])
  })

  it('is 666 by default', async () => {
    const sim = await startSim()
    const entry = await sim.whenSettled(
      sim.submit({ prompt: defaultWorkflow({ steps: 2, seed: 666 }) }).prompt_id,
    )
    expect(entry.status.messages.at(-1)?.[0]).toBe('execution_error')
  })
})

describe('dropAfterStart', () => {
  it('cuts the client socket mid-run; the run goes on, a reconnect gets status and the executing replay, then the rest', async () => {
    const sim = await startSim({ stepDelayMs: 5, delivery: { dropAfterStart: 31 } })
    const client = await connect(sim, { clientId: 'tab' })
    const { prompt_id: promptId } = sim.submit({ prompt: defaultWorkflow({ steps: 60 }), client_id: 'tab' })
    await client.closed
    // execution_start, execution_cached, 3 frames for each of 4 nodes, the sampler's executing and
    // running snapshot, then 5 ticks of progress_state, progress and a type-1 preview.
    const heard = client.frames.filter((f) => f.kind === 'binary' || f.data.prompt_id === promptId)
    expect(heard).toHaveLength(31)
    expect(client.ofType('progress').map((f) => f.data.value)).toEqual([1, 2, 3, 4, 5])
    // Away for a while, as a browser waits before it reconnects.
    await sleep(20)
    const again = await connect(sim, { clientId: 'tab' })
    // The replay: the last display node, without a prompt id.
    expect(again.frames.slice(0, 2)).toEqual([
      { kind: 'json', type: 'status', data: { status: { exec_info: { queue_remaining: 1 } }, sid: 'tab' } },
      { kind: 'json', type: 'executing', data: { node: '3' } },
    ])
    await again.waitFor(ended(promptId))
    expect(again.frames.some(isJson('execution_start', promptId))).toBe(false)
    expect(again.frames.some(isJson('execution_success', promptId))).toBe(true)
    // Frames sent while it was away are gone: the two sockets together heard less than all 60 steps.
    const progress = [...client.ofType('progress'), ...again.ofType('progress')].map((f) => f.data.value)
    expect(progress.length).toBeLessThan(60)
    expect(progress.at(-1)).toBe(60)
  })
})

describe('chaosDrop', () => {
  it('drops a seeded fraction of the client frames, the same ones for the same seed', async () => {
    const sim = await startSim()
    const client = await connect(sim, { clientId: 'c' })
    const heard = async () => {
      const from = client.frames.length
      const { prompt_id: promptId } = sim.submit({ prompt: defaultWorkflow({ steps: 10 }), client_id: 'c' })
      await sim.whenSettled(promptId)
      await new Promise((resolve) => setTimeout(resolve, 20))
      return client.frames
        .slice(from)
        .filter((f) => f.kind === 'binary' || f.data.prompt_id === promptId)
        .map(describeFrame)
    }
    const all = await heard()
    sim.setDelivery({ chaosDrop: 0.3, chaosSeed: 7 })
    const some = await heard()
    sim.setDelivery({ chaosDrop: 0.3, chaosSeed: 7 })
    expect(await heard()).toEqual(some)
    expect(some.length).toBeLessThan(all.length * 0.9)
    expect(some.length).toBeGreaterThan(all.length * 0.5)
    expect(sim.getDelivery()).toMatchObject({ chaosDrop: 0.3, chaosSeed: 7, historyLag: 0 })
    expect(() => sim.setDelivery({ chaosDrop: 2 })).toThrow()
  })
})
