import { describe, expect, it } from 'vitest'
import { stableClientId } from '../clientId'
import { createPromptBook } from '../promptBook'
import { readPageProtocol } from '../protocol'
import { apiPromptOf, DEFAULT_RUN_SETTINGS, defaultComfyWorkflow, graphOfPrompt } from '../workflow'

/** A Storage stand-in: a Map behind getItem / setItem. */
function memoryStorage() {
  const items = new Map<string, string>()
  return {
    items,
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  }
}

/** A document with the given metas, as `readPageProtocol` reads one. */
const docWith = (metas: Record<string, string>) => ({
  querySelector: (selector: string) => {
    const name = /meta\[name="([^"]+)"\]/.exec(selector)?.[1]
    const content = name === undefined ? undefined : metas[name]
    return content === undefined ? null : ({ getAttribute: () => content } as unknown as Element)
  },
})

describe('which server the page talks to', () => {
  it('is InvokeAI without a word from the server, ComfyUI when the served page says so', () => {
    expect(readPageProtocol(docWith({}), { search: '' })).toEqual({ protocol: 'invokeai' })
    expect(readPageProtocol(docWith({ 'workflow-execution-protocol': 'comfyui' }), { search: '' })).toEqual({
      protocol: 'comfyui',
      simulator: false,
    })
    const simulator = docWith({
      'workflow-execution-protocol': 'comfyui',
      'workflow-execution-simulator': 'comfyui',
    })
    expect(readPageProtocol(simulator, { search: '' })).toEqual({ protocol: 'comfyui', simulator: true })
  })

  it('?protocol= overrides the meta; an unknown value is ignored', () => {
    const comfy = docWith({ 'workflow-execution-protocol': 'comfyui' })
    expect(readPageProtocol(comfy, { search: '?protocol=invokeai' })).toEqual({ protocol: 'invokeai' })
    expect(readPageProtocol(docWith({}), { search: '?protocol=comfyui' })).toMatchObject({
      protocol: 'comfyui',
    })
    expect(
      readPageProtocol(docWith({ 'workflow-execution-protocol': 'other' }), { search: '?protocol=x' }),
    ).toEqual({
      protocol: 'invokeai',
    })
  })
})

describe('the graph of an API prompt', () => {
  it('draws the default workflow: 7 nodes by class, an edge per link input', () => {
    const graph = graphOfPrompt(defaultComfyWorkflow(DEFAULT_RUN_SETTINGS))
    expect(graph?.nodes).toEqual([
      { id: '3', type: 'KSampler' },
      { id: '4', type: 'CheckpointLoaderSimple' },
      { id: '5', type: 'EmptyLatentImage' },
      { id: '6', type: 'CLIPTextEncode' },
      { id: '7', type: 'CLIPTextEncode' },
      { id: '8', type: 'VAEDecode' },
      { id: '9', type: 'SaveImage' },
    ])
    expect(
      graph?.edges.map((edge) => `${edge.source}.${edge.sourceField}->${edge.target}.${edge.targetField}`),
    ).toEqual([
      '4.0->3.model',
      '6.0->3.positive',
      '7.0->3.negative',
      '5.0->3.latent_image',
      '4.1->6.clip',
      '4.1->7.clip',
      '3.0->8.samples',
      '4.2->8.vae',
      '8.0->9.images',
    ])
  })

  it('reads a server prompt defensively: odd nodes get a generic label, dangling links and self-links are left out', () => {
    const graph = graphOfPrompt({
      '10': { class_type: 'A', inputs: { x: ['2', 0], y: ['99', 0], z: ['10', 0], w: [1, 2, 3], v: 'text' } },
      '2': { inputs: {} },
      b: 'not a node',
    })
    expect(graph?.nodes).toEqual([
      { id: '2', type: 'node' },
      { id: '10', type: 'A' },
      { id: 'b', type: 'node' },
    ])
    expect(graph?.edges.map((edge) => edge.id)).toEqual(['2:0->10:x'])
    expect(graphOfPrompt(null)).toBeNull()
    expect(graphOfPrompt([1, 2])).toBeNull()
    expect(apiPromptOf({ '1': { class_type: 'A' } })).toBeNull()
    expect(apiPromptOf(defaultComfyWorkflow(DEFAULT_RUN_SETTINGS))).not.toBeNull()
  })
})

describe('what a tab keeps across reloads', () => {
  it('one clientId per tab: made once, read again, a bad stored value replaced', () => {
    const storage = memoryStorage()
    const first = stableClientId(storage)
    expect(first).toMatch(/^[0-9a-f]{32}$/)
    expect(stableClientId(storage)).toBe(first)
    storage.items.set([...storage.items.keys()][0] as string, 'not-an-id')
    expect(stableClientId(storage)).not.toBe('not-an-id')
    expect(stableClientId(null)).not.toBe(stableClientId(null))
  })

  it('the prompts it submitted, the newest 20, read back by a reload; a storage that throws is no failure', () => {
    const storage = memoryStorage()
    const book = createPromptBook(storage)
    for (let seed = 0; seed < 25; seed += 1)
      book.remember(`p${seed}`, defaultComfyWorkflow({ ...DEFAULT_RUN_SETTINGS, seed }))
    const reloaded = createPromptBook(storage)
    expect(reloaded.get('p4')).toBeUndefined()
    expect(reloaded.get('p5')?.['3']?.inputs.seed).toBe(5)
    expect(reloaded.get('p24')?.['3']?.inputs.seed).toBe(24)
    const throwing = {
      getItem: () => {
        throw new Error('denied')
      },
      setItem: () => {
        throw new Error('denied')
      },
    }
    const kept = createPromptBook(throwing)
    kept.remember('p', defaultComfyWorkflow(DEFAULT_RUN_SETTINGS))
    expect(kept.get('p')).toBeDefined()
    expect(stableClientId(throwing)).toMatch(/^[0-9a-f]{32}$/)
  })
})
