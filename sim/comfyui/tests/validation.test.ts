import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { ComfyPromptError, defaultWorkflow } from '../index'
import type { ApiPrompt } from '../index'
import { api, closeAll, connect, ended, isJson, startSim } from './helpers'

afterEach(closeAll)

const withNode = (prompt: ApiPrompt, id: string, node: ApiPrompt[string]): ApiPrompt => ({
  ...prompt,
  [id]: node,
})

describe('POST /prompt', () => {
  it('honours a client-chosen prompt_id: the response, every frame and history carry it', async () => {
    const sim = await startSim()
    const client = await connect(sim, { clientId: 'c' })
    const promptId = randomUUID()
    const { status, body } = await api(sim, 'POST', '/api/prompt', {
      prompt: defaultWorkflow({ steps: 1 }),
      client_id: 'c',
      prompt_id: promptId,
    })
    expect(status).toBe(200)
    expect(body.prompt_id).toBe(promptId)
    await client.waitFor(ended(promptId))
    expect(client.frames.some(isJson('execution_success', promptId))).toBe(true)
    expect(Object.keys((await api(sim, 'GET', `/history/${promptId}`)).body)).toEqual([promptId])
    // The same id again is refused: history and the jobs API would no longer tell the two apart.
    const again = await api(sim, 'POST', '/prompt', { prompt: defaultWorkflow(), prompt_id: promptId })
    expect(again.status).toBe(400)
    expect(again.body.error.type).toBe('invalid_prompt_id')
  })

  it.each([
    ['uppercase', randomUUID().toUpperCase()],
    ['not a uuid', 'my-prompt'],
    ['without dashes', randomUUID().replace(/-/g, '')],
    ['a number', 42],
  ])(
    'refuses a prompt_id that is not a canonical lowercase UUID (%s) with 400 and queues nothing',
    async (_, id) => {
      const sim = await startSim()
      const { status, body } = await api(sim, 'POST', '/prompt', { prompt: defaultWorkflow(), prompt_id: id })
      expect(status).toBe(400)
      expect(body).toEqual({
        error: {
          type: 'invalid_prompt_id',
          message: expect.any(String),
          details: expect.any(String),
          extra_info: {},
        },
        node_errors: {},
      })
      expect((await api(sim, 'GET', '/queue')).body).toEqual({ queue_running: [], queue_pending: [] })
    },
  )

  it.each<[string, unknown, string]>([
    ['no prompt', {}, 'no_prompt'],
    [
      'an unknown class',
      { prompt: withNode(defaultWorkflow(), '11', { class_type: 'Upscaler', inputs: {} }) },
      'missing_node_type',
    ],
    ['no output node', { prompt: { '4': defaultWorkflow()['4'] } }, 'prompt_no_outputs'],
    [
      'a cycle',
      {
        prompt: withNode(defaultWorkflow(), '8', {
          class_type: 'VAEDecode',
          inputs: { samples: ['3', 0], vae: ['9', 0] },
        }),
      },
      'dependency_cycle',
    ],
    [
      'a link to a missing node',
      {
        prompt: withNode(defaultWorkflow(), '8', {
          class_type: 'VAEDecode',
          inputs: { samples: ['99', 0], vae: ['4', 2] },
        }),
      },
      'prompt_outputs_failed_validation',
    ],
    [
      'a link of the wrong type',
      {
        prompt: withNode(defaultWorkflow(), '8', {
          class_type: 'VAEDecode',
          inputs: { samples: ['4', 0], vae: ['4', 2] },
        }),
      },
      'prompt_outputs_failed_validation',
    ],
  ])('refuses %s with 400', async (_, body, type) => {
    const sim = await startSim()
    const client = await connect(sim)
    const answer = await api(sim, 'POST', '/prompt', body)
    expect(answer.status).toBe(400)
    expect(answer.body.error.type).toBe(type)
    expect(() => sim.submit(body as never)).toThrow(ComfyPromptError)
    // No frame for a refused prompt but the connect-time status.
    expect(client.frames).toHaveLength(1)
  })

  it('names the broken node and its outputs in node_errors', async () => {
    const sim = await startSim()
    const prompt = withNode(defaultWorkflow(), '3', {
      class_type: 'KSampler',
      inputs: { ...defaultWorkflow()['3']?.inputs, steps: 0 },
    })
    const { status, body } = await api(sim, 'POST', '/prompt', { prompt })
    expect(status).toBe(400)
    expect(body.node_errors).toEqual({
      '3': {
        errors: [
          {
            type: 'value_smaller_than_min',
            message: 'Value 0 smaller than min of 1',
            details: 'steps',
            extra_info: { input_name: 'steps' },
          },
        ],
        dependent_outputs: ['9'],
        class_type: 'KSampler',
      },
    })
  })

  it('drops a broken output and runs the others: 200 with node_errors', async () => {
    const sim = await startSim()
    const prompt = withNode(defaultWorkflow({ steps: 1 }), '10', {
      class_type: 'PreviewImage',
      inputs: { images: ['4', 0] },
    })
    const { status, body } = await api(sim, 'POST', '/prompt', { prompt })
    expect(status).toBe(200)
    expect(Object.keys(body.node_errors)).toEqual(['10'])
    expect(body.node_errors['10'].errors[0].type).toBe('return_type_mismatch')
    const entry = await sim.whenSettled(body.prompt_id)
    expect(entry.prompt[4]).toEqual(['9'])
    expect(Object.keys(entry.outputs)).toEqual(['9'])
  })
})
