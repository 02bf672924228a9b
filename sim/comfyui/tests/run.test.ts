import { afterEach, describe, expect, it } from 'vitest'
import { parseComfyFrame } from '../../../src/comfyui/wire'
import { historyAnswerSchema, jobSchema, queueSchema } from '../../../src/comfyui/rest'
import { defaultWorkflow, NODE_CLASSES } from '../index'
import { api, closeAll, connect, describeFrame, ended, isJson, runFrames, sleep, startSim } from './helpers'
import type { Recorded } from './helpers'

afterEach(closeAll)

const STEPS = 3

/** The frames §3.3 lists for one node that runs: executing, running, ticks, [executed], finished. */
function nodeFrames(id: string, ticks: number, hasOutput: boolean, preview: string) {
  const perTick = ['progress_state', preview, 'progress']
  return [
    `executing:${id}`,
    'progress_state',
    ...Array.from({ length: ticks }, () => perTick).flat(),
    ...(hasOutput ? [`executed:${id}`] : []),
    'progress_state',
  ]
}

describe('one default-workflow prompt', () => {
  it('sends the canonical frame order and ends with executing null once history is readable', async () => {
    const sim = await startSim()
    const client = await connect(sim, { clientId: 'tab-1', featureFlags: true })
    const prompt = defaultWorkflow({ steps: STEPS, previewImage: true })
    expect(new Set(Object.values(prompt).map((node) => node.class_type))).toEqual(
      new Set(Object.keys(NODE_CLASSES)),
    )
    // Read history the moment `executing null` arrives: it must be there already.
    const historyAtEnd: Promise<unknown>[] = []
    client.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return
      const frame = JSON.parse(data.toString('utf8'))
      if (frame.type === 'executing' && frame.data.node === null) {
        historyAtEnd.push(
          api(sim, 'GET', `/history/${frame.data.prompt_id}`)
            .then((r) => r.body)
            .catch(() => null),
        )
      }
    })
    const { status, body } = await api(sim, 'POST', '/prompt', { prompt, client_id: 'tab-1' })
    expect(status).toBe(200)
    expect(body).toEqual({ prompt_id: expect.any(String), number: 0, node_errors: {} })
    const promptId = body.prompt_id as string
    await client.waitFor(ended(promptId))

    const frames = runFrames(client, promptId)
    expect(frames.map(describeFrame)).toEqual([
      'execution_start',
      'execution_cached',
      ...nodeFrames('4', 0, false, ''),
      ...nodeFrames('5', 0, false, ''),
      ...nodeFrames('6', 0, false, ''),
      ...nodeFrames('7', 0, false, ''),
      ...nodeFrames('3', STEPS, false, 'binary4'),
      ...nodeFrames('8', 0, false, ''),
      ...nodeFrames('9', 0, true, ''),
      ...nodeFrames('10', 0, true, ''),
      'execution_success',
      'status',
      'executing:null',
    ])
    // Every JSON frame is one the library's own schemas accept.
    for (const frame of frames.filter((f): f is Extract<Recorded, { kind: 'json' }> => f.kind === 'json')) {
      expect(parseComfyFrame(JSON.stringify({ type: frame.type, data: frame.data })).kind).toBe('frame')
    }
    const json = frames.filter((f): f is Extract<Recorded, { kind: 'json' }> => f.kind === 'json')
    expect(json.find((f) => f.type === 'execution_cached')?.data).toEqual({
      nodes: [],
      prompt_id: promptId,
      timestamp: expect.any(Number),
    })
    expect(json.find((f) => f.type === 'executing')?.data).toEqual({
      node: '4',
      display_node: '4',
      prompt_id: promptId,
    })
    expect(json.filter((f) => f.type === 'progress').map((f) => f.data)).toEqual(
      [1, 2, 3].map((value) => ({ value, max: STEPS, prompt_id: promptId, node: '3' })),
    )
    // The last snapshot lists every node, finished, with its ids.
    const last = json.filter((f) => f.type === 'progress_state').at(-1)?.data
    expect(Object.keys(last.nodes).sort()).toEqual(['10', '3', '4', '5', '6', '7', '8', '9'])
    expect(Object.values(last.nodes).every((node) => (node as { state: string }).state === 'finished')).toBe(
      true,
    )
    expect(last.nodes['3']).toEqual({
      value: STEPS,
      max: STEPS,
      state: 'finished',
      node_id: '3',
      prompt_id: promptId,
      display_node_id: '3',
      parent_node_id: null,
      real_node_id: '3',
    })
    const saved = json.find((f) => f.type === 'executed' && f.data.node === '9')?.data
    expect(saved).toEqual({
      node: '9',
      display_node: '9',
      prompt_id: promptId,
      output: { images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }] },
    })
    const previewed = json.find((f) => f.type === 'executed' && f.data.node === '10')?.data
    expect(previewed.output.images[0]).toMatchObject({ subfolder: '', type: 'temp' })

    // History was there when `executing null` arrived, in the §4.3 shape.
    const [atEnd] = await Promise.all(historyAtEnd)
    const history = historyAnswerSchema.parse(atEnd)
    const entry = history[promptId]
    expect(entry?.prompt?.slice(0, 2)).toEqual([0, promptId])
    expect(entry?.prompt?.[3]).toEqual({ client_id: 'tab-1', create_time: expect.any(Number) })
    expect(entry?.prompt?.[4]).toEqual(['9', '10'])
    expect(entry?.outputs).toEqual({ '9': saved.output, '10': previewed.output })
    expect(entry?.status).toEqual({
      status_str: 'success',
      completed: true,
      messages: [
        ['execution_start', { prompt_id: promptId, timestamp: expect.any(Number) }],
        ['execution_cached', { nodes: [], prompt_id: promptId, timestamp: expect.any(Number) }],
        ['execution_success', { prompt_id: promptId, timestamp: expect.any(Number) }],
      ],
    })
    expect(entry?.meta?.['9']).toEqual({
      node_id: '9',
      display_node: '9',
      parent_node: null,
      real_node_id: '9',
    })

    const job = await api(sim, 'GET', `/api/jobs/${promptId}`)
    expect(jobSchema.parse(job.body)).toMatchObject({
      id: promptId,
      status: 'completed',
      outputs: entry?.outputs,
    })
    expect(job.body).toMatchObject({ priority: 0, outputs_count: 2, execution_status: entry?.status })
    expect(job.body.execution_end_time).toBeGreaterThanOrEqual(job.body.execution_start_time)
    expect(queueSchema.parse((await api(sim, 'GET', '/queue')).body)).toEqual({
      queue_running: [],
      queue_pending: [],
    })
  })

  it('greets a socket with status and its sid (kept verbatim, else uuid hex), at /ws and /api/ws', async () => {
    const sim = await startSim()
    const named = await connect(sim, { clientId: 'Any String!' })
    expect(named.sid).toBe('Any String!')
    expect(named.frames[0]).toEqual({
      kind: 'json',
      type: 'status',
      data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'Any String!' },
    })
    const anonymous = await connect(sim, { path: '/api/ws' })
    expect(anonymous.sid).toMatch(/^[0-9a-f]{32}$/)
    // No feature_flags first frame: nothing but the status.
    expect(anonymous.frames.map(describeFrame)).toEqual(['status'])
  })

  it('answers feature_flags only as the first text frame', async () => {
    const sim = await startSim()
    const client = await connect(sim, { featureFlags: true })
    expect(client.ofType('feature_flags')[0]?.data).toMatchObject({ supports_preview_metadata: true })
    client.ws.send(JSON.stringify({ type: 'feature_flags', data: { supports_preview_metadata: true } }))
    const features = await api(sim, 'GET', '/features')
    expect(features.body).toEqual(client.ofType('feature_flags')[0]?.data)
    expect(client.ofType('feature_flags')).toHaveLength(1)
  })

  it('routes a prompt to its client only; without a client_id only progress, snapshots and type-1 previews go to everyone', async () => {
    const sim = await startSim()
    const owner = await connect(sim, { clientId: 'owner' })
    const other = await connect(sim, { clientId: 'other' })
    const mine = sim.submit({ prompt: defaultWorkflow({ steps: 2 }), client_id: 'owner' })
    await owner.waitFor(ended(mine.prompt_id))
    expect(other.frames.filter((f) => f.kind === 'binary' || f.data.prompt_id === mine.prompt_id)).toEqual([])
    // Every queue change is a status broadcast: put, start, done.
    expect(other.ofType('status').length).toBeGreaterThanOrEqual(4)

    const anonymous = sim.submit({ prompt: defaultWorkflow({ steps: 2 }) })
    await sim.whenSettled(anonymous.prompt_id)
    const seen = new Set(
      other.frames
        .filter((f) => f.kind === 'binary' || f.data.prompt_id === anonymous.prompt_id)
        .map((f) => (f.kind === 'binary' ? `binary${f.type}` : f.type)),
    )
    expect(seen).toEqual(new Set(['progress_state', 'progress', 'binary1']))
    expect(owner.frames.some(isJson('execution_start', anonymous.prompt_id))).toBe(false)
  })

  it('fans a batch out into one SaveImage output, and /view serves each file', async () => {
    const sim = await startSim()
    const { prompt_id: promptId } = sim.submit({ prompt: defaultWorkflow({ steps: 1, batchSize: 3 }) })
    const entry = await sim.whenSettled(promptId)
    const images = entry.outputs['9']?.images ?? []
    expect(images.map((image) => image.filename)).toEqual([
      'ComfyUI_00001_.png',
      'ComfyUI_00002_.png',
      'ComfyUI_00003_.png',
    ])
    const files = await Promise.all(
      images.map((image) => fetch(`${sim.url}/view?filename=${image.filename}&subfolder=&type=output`)),
    )
    const bytes = await Promise.all(files.map(async (file) => Buffer.from(await file.arrayBuffer())))
    expect(new Set(bytes.map((b) => b.toString('base64'))).size).toBe(3)
  })

  it('runs one prompt at a time, lowest number first, front:true ahead of the rest', async () => {
    const sim = await startSim()
    const first = sim.submit({ prompt: defaultWorkflow({ steps: 100 }) })
    // The worker takes the first prompt as soon as it is queued; the others then wait in the heap.
    await sleep(1)
    const second = sim.submit({ prompt: defaultWorkflow({ steps: 1, seed: 2 }) })
    const third = sim.submit({ prompt: defaultWorkflow({ steps: 1, seed: 3 }), front: true })
    expect([first.number, second.number, third.number]).toEqual([0, 1, -2])
    const queue = await api(sim, 'GET', '/queue')
    expect(queue.body.queue_running.map((item: unknown[]) => item[1])).toEqual([first.prompt_id])
    expect(queue.body.queue_pending.map((item: unknown[]) => item[1]).sort()).toEqual(
      [second.prompt_id, third.prompt_id].sort(),
    )
    expect((await api(sim, 'GET', '/api/prompt')).body).toEqual({ exec_info: { queue_remaining: 3 } })
    await sim.whenSettled(second.prompt_id)
    const history = await api(sim, 'GET', '/history')
    expect(Object.keys(history.body)).toEqual([first.prompt_id, third.prompt_id, second.prompt_id])
    expect(Object.keys((await api(sim, 'GET', '/history?max_items=1')).body)).toEqual([second.prompt_id])
    expect(Object.keys((await api(sim, 'GET', '/history?max_items=1&offset=1')).body)).toEqual([
      third.prompt_id,
    ])
    const completed = await api(sim, 'GET', '/api/jobs?status=completed&sort_order=asc&limit=2')
    expect(completed.body.jobs.map((job: { status: string }) => job.status)).toEqual([
      'completed',
      'completed',
    ])
    expect(completed.body.pagination).toEqual({ offset: 0, limit: 2, total: 3, has_more: true })
  })
})
