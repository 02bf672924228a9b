import { afterEach, describe, expect, it } from 'vitest'
import { decodeBinaryFrame } from '../../../src/comfyui/wire'
import { decodePng } from '../../tests/pngDecode'
import { defaultWorkflow } from '../index'
import { api, closeAll, connect, ended, startSim } from './helpers'
import type { Recorded } from './helpers'

afterEach(closeAll)

const STEPS = 5

const binaries = (frames: Recorded[]) =>
  frames.filter((f): f is Extract<Recorded, { kind: 'binary' }> => f.kind === 'binary')

/** Mean absolute difference of two pictures of one size. */
function distance(a: Uint8Array, b: Uint8Array) {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number))
  return sum / a.length
}

describe('latent previews', () => {
  it('are type 4 with JSON metadata for a client that sent supports_preview_metadata, and sharpen step by step', async () => {
    const sim = await startSim()
    const client = await connect(sim, { clientId: 'modern', featureFlags: true })
    const { prompt_id: promptId } = sim.submit({
      prompt: defaultWorkflow({ steps: STEPS }),
      client_id: 'modern',
    })
    await client.waitFor(ended(promptId))
    const previews = binaries(client.frames)
    expect(previews.map((f) => f.type)).toEqual(Array(STEPS).fill(4))
    const first = previews[0] as Extract<Recorded, { kind: 'binary' }>
    // The layout by hand: type, metadata length, metadata JSON, image.
    const length = first.bytes.readUInt32BE(4)
    expect(JSON.parse(first.bytes.subarray(8, 8 + length).toString('utf8'))).toEqual({
      node_id: '3',
      prompt_id: promptId,
      display_node_id: '3',
      parent_node_id: null,
      real_node_id: '3',
      image_type: 'image/png',
    })
    const decoded = previews.map((f) => decodeBinaryFrame(f.bytes))
    expect(
      decoded.every((d) => d.ok && d.frame.kind === 'preview' && d.frame.metadata?.promptId === promptId),
    ).toBe(true)
    const pictures = previews.map((f) => decodePng(f.bytes.subarray(8 + f.bytes.readUInt32BE(4))))
    expect(pictures[0]).toMatchObject({ width: 64, height: 64 })
    const final = (pictures.at(-1) as { data: Uint8Array }).data
    const distances = pictures.map((picture) => distance(picture.data, final))
    for (let i = 1; i < distances.length; i++) expect(distances[i]).toBeLessThan(distances[i - 1] as number)
  })

  it('are type 1 (format 2, PNG, no ids) for a client that did not, after each progress', async () => {
    const sim = await startSim()
    const client = await connect(sim, { clientId: 'legacy' })
    const { prompt_id: promptId } = sim.submit({
      prompt: defaultWorkflow({ steps: STEPS }),
      client_id: 'legacy',
    })
    await client.waitFor(ended(promptId))
    const previews = binaries(client.frames)
    expect(previews.map((f) => [f.type, f.bytes.readUInt32BE(4)])).toEqual(Array(STEPS).fill([1, 2]))
    for (const preview of previews) {
      expect(decodePng(preview.bytes.subarray(8))).toMatchObject({ width: 64, height: 64 })
      const before = client.frames[client.frames.indexOf(preview) - 1]
      expect(before?.kind === 'json' && before.type).toBe('progress')
    }
  })

  it('are the same bytes for the same seed, and another picture for another seed', async () => {
    const sim = await startSim()
    const client = await connect(sim, { clientId: 'c' })
    const run = async (seed: number) => {
      const from = client.frames.length
      const { prompt_id: promptId } = sim.submit({
        prompt: defaultWorkflow({ steps: 2, seed }),
        client_id: 'c',
      })
      await client.waitFor(ended(promptId))
      return binaries(client.frames.slice(from)).map((f) => f.bytes.toString('base64'))
    }
    const first = await run(1)
    expect(await run(1)).toEqual(first)
    expect(await run(2)).not.toEqual(first)
    expect((await api(sim, 'GET', '/queue')).body.queue_pending).toEqual([])
  })
})
