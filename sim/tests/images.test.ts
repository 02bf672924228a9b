// Image outputs are real files: a deterministic PNG per image name on InvokeAI's image endpoints, a
// smaller thumbnail, an ImageDTO, and progress previews that sharpen towards the final picture.
import { afterEach, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import { crc32, encodePng, PNG_SIGNATURE } from '../png'
import type { Simulator, SimulatorOptions } from '../types'
import { api, connect, sleep } from './helpers'
import type { Recorded, TestClient } from './helpers'
import { decodeDataUrl, decodePng, downscale, meanDifference, pngSize } from './pngDecode'

const open: { sims: Simulator[]; clients: TestClient[] } = { sims: [], clients: [] }

afterEach(async () => {
  open.clients.splice(0).forEach((client) => client.close())
  await Promise.all(open.sims.splice(0).map((sim) => sim.close()))
})

async function setup(options: SimulatorOptions = {}) {
  const sim = await startSimulator({ stepDelayMs: 2, ...options })
  open.sims.push(sim)
  return sim
}

/** denoise(seed) → l2i, with fixed node ids: the same body on two simulators is the same run. */
function chain(seed: number, width = 512, height = 512, steps = 4) {
  return {
    batch: {
      graph: {
        id: 'chain',
        nodes: {
          d: { id: 'd', type: 'denoise', steps, seed, width, height, is_intermediate: true },
          i: { id: 'i', type: 'l2i', width, height },
        },
        edges: [
          { source: { node_id: 'd', field: 'latents' }, destination: { node_id: 'i', field: 'latents' } },
        ],
      },
    },
  }
}

interface ImageOutput {
  copyId: string
  name: string
  width: number
  height: number
}

/** The image outputs of a settled item, in iteration order. */
function imageOutputs(item: unknown): ImageOutput[] {
  const session = (item as { session: Record<string, Record<string, unknown>> }).session
  const results = session.results as Record<
    string,
    { type: string; image?: { image_name: string } } & ImageOutput
  >
  const paths = session.prepared_iteration_paths as Record<string, number[]>
  return Object.entries(results)
    .filter(([, result]) => result.type === 'image_output')
    .map(([copyId, result]) => ({
      copyId,
      name: result.image?.image_name as string,
      width: result.width,
      height: result.height,
      order: (paths[copyId] ?? []).join('.'),
    }))
    .sort((a, b) => a.order.localeCompare(b.order))
    .map(({ copyId, name, width, height }) => ({ copyId, name, width, height }))
}

async function runToEnd(sim: Simulator, body: unknown) {
  const [itemId] = sim.enqueue(body).item_ids as [number]
  const item = await sim.whenSettled(itemId)
  expect(item?.status).toBe('completed')
  return imageOutputs(item)
}

async function fetchFile(sim: Simulator, path: string, init: RequestInit = {}) {
  const response = await fetch(`${sim.url}${sim.basePath}${path}`, init)
  return {
    status: response.status,
    headers: response.headers,
    body: Buffer.from(await response.arrayBuffer()),
  }
}

const filePath = (name: string, file: 'full' | 'thumbnail') =>
  `/api/v1/images/i/${encodeURIComponent(name)}/${file}`

describe('PNG encoder', () => {
  it('writes a valid PNG (CRC-32 of the spec, RGB and RGBA) that decodes back to the same pixels', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    for (const channels of [3, 4] as const) {
      const [width, height] = [7, 5]
      const data = Uint8Array.from(
        { length: width * height * channels },
        (_, i) => (i * 37 + (i >> 3)) & 0xff,
      )
      const png = encodePng({ width, height, channels, data })
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
      const decoded = decodePng(png)
      expect(decoded.chunks).toEqual(['IHDR', 'IDAT', 'IEND'])
      expect({ width: decoded.width, height: decoded.height, channels: decoded.channels }).toEqual({
        width,
        height,
        channels,
      })
      expect(Buffer.from(decoded.data).equals(Buffer.from(data))).toBe(true)
    }
    expect(() => encodePng({ width: 0, height: 1, channels: 3, data: new Uint8Array(0) })).toThrow(RangeError)
  })
})

describe('image files', () => {
  it('an image output of a finished run is served as a PNG of the announced size, with a smaller thumbnail and an ImageDTO', async () => {
    const sim = await setup({ basePath: '/invoke' })
    const [itemId] = sim.enqueueScenario('fanout', { params: { count: 2, steps: 3 } }).item_ids as [number]
    const item = (await sim.whenSettled(itemId)) as { session_id: string }
    const outputs = imageOutputs(item)
    expect(outputs).toHaveLength(2)
    for (const output of outputs) {
      expect(output).toMatchObject({ width: 512, height: 512 })
      const full = await fetchFile(sim, filePath(output.name, 'full'))
      expect(full.status).toBe(200)
      expect(full.headers.get('content-type')).toBe('image/png')
      expect(full.headers.get('cache-control')).toBe('max-age=31536000')
      expect(Number(full.headers.get('content-length'))).toBe(full.body.length)
      expect(full.body.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true)
      expect(pngSize(full.body)).toEqual({ width: 512, height: 512 })
      const pixels = decodePng(full.body)
      expect(pixels.channels).toBe(3)
      // "Reasonable": well under the raw 768 KB.
      expect(full.body.length).toBeLessThan(150_000)

      const thumbnail = await fetchFile(sim, filePath(output.name, 'thumbnail'))
      expect(thumbnail.status).toBe(200)
      expect(thumbnail.headers.get('content-type')).toBe('image/png')
      expect(pngSize(thumbnail.body)).toEqual({ width: 256, height: 256 })
      expect(thumbnail.body.length).toBeLessThan(full.body.length)
      // The same picture, smaller: close to the full image scaled down.
      const scaled = downscale(pixels, 256, 256)
      expect(meanDifference(decodePng(thumbnail.body).data, scaled)).toBeLessThan(4)

      const dto = await api(sim, 'GET', `/api/v1/images/i/${output.name}`)
      expect(dto.status).toBe(200)
      expect(dto.body).toEqual({
        image_name: output.name,
        image_url: `api/v1/images/i/${output.name}/full`,
        thumbnail_url: `api/v1/images/i/${output.name}/thumbnail`,
        image_origin: 'internal',
        image_category: 'general',
        width: 512,
        height: 512,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/),
        updated_at: expect.any(String),
        is_intermediate: false,
        session_id: item.session_id,
        node_id: output.copyId,
        starred: false,
        has_workflow: false,
      })
    }
    // Two seeds, two pictures.
    const [a, b] = outputs as [ImageOutput, ImageOutput]
    const first = await fetchFile(sim, filePath(a.name, 'full'))
    const second = await fetchFile(sim, filePath(b.name, 'full'))
    expect(first.body.equals(second.body)).toBe(false)
    // HEAD, as InvokeAI offers on /full: headers, no body.
    const head = await fetchFile(sim, filePath(a.name, 'full'), { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(first.body.length))
    expect(head.body.length).toBe(0)
  })

  it('the same graph and seed give the same bytes on two simulators, a new image name, and another seed another picture', async () => {
    const [one, two] = await Promise.all([setup(), setup()])
    const [a] = await runToEnd(one, chain(1234))
    const [b] = await runToEnd(two, chain(1234))
    const [c] = await runToEnd(two, chain(1235))
    if (!a || !b || !c) throw new Error('no image output')
    expect(a.name).not.toBe(b.name)
    for (const file of ['full', 'thumbnail'] as const) {
      const fromOne = await fetchFile(one, filePath(a.name, file))
      const fromTwo = await fetchFile(two, filePath(b.name, file))
      expect(fromOne.body.equals(fromTwo.body)).toBe(true)
      // A second request gets the very same file.
      expect((await fetchFile(one, filePath(a.name, file))).body.equals(fromOne.body)).toBe(true)
    }
    const other = await fetchFile(two, filePath(c.name, 'full'))
    expect(other.body.equals((await fetchFile(one, filePath(a.name, 'full'))).body)).toBe(false)
  })

  it('large or non-square sizes are scaled down to at most 512 px, aspect kept, and the output says so', async () => {
    const sim = await setup()
    const [wide] = await runToEnd(sim, chain(9, 2048, 1024, 1))
    expect(wide).toMatchObject({ width: 512, height: 256 })
    const full = await fetchFile(sim, filePath((wide as ImageOutput).name, 'full'))
    expect(pngSize(full.body)).toEqual({ width: 512, height: 256 })
    expect(pngSize((await fetchFile(sim, filePath((wide as ImageOutput).name, 'thumbnail'))).body)).toEqual({
      width: 256,
      height: 128,
    })
    const [small] = await runToEnd(sim, chain(9, 96, 64, 1))
    expect(small).toMatchObject({ width: 96, height: 64 })
    // A thumbnail is never larger than its image (as PIL's thumbnail()).
    expect(pngSize((await fetchFile(sim, filePath((small as ImageOutput).name, 'thumbnail'))).body)).toEqual({
      width: 96,
      height: 64,
    })
    expect((await api(sim, 'GET', `/api/v1/images/i/${(small as ImageOutput).name}`)).body).toMatchObject({
      width: 96,
      height: 64,
    })
  })
})

describe('progress previews', () => {
  const previewsOf = (client: TestClient, itemId: number) =>
    client
      .of(itemId)
      .filter((e: Recorded) => e.name === 'invocation_progress')
      .map((e) => e.payload.image as { width: number; height: number; dataURL: string })

  it('are small PNG data URLs that differ at every step and end close to the final image', async () => {
    const sim = await setup()
    const client = await connect(sim)
    open.clients.push(client)
    const steps = 8
    const [itemId] = sim.enqueue(chain(4242, 512, 512, steps)).item_ids as [number]
    const [output] = imageOutputs(await sim.whenSettled(itemId))
    await client.waitFor(() => previewsOf(client, itemId).length === steps)
    const previews = previewsOf(client, itemId)
    expect(new Set(previews.map((p) => p.dataURL)).size).toBe(steps)
    const final = decodePng((await fetchFile(sim, filePath((output as ImageOutput).name, 'full'))).body)
    const target = downscale(final, 64, 64)
    const differences = previews.map((preview) => {
      expect(preview.dataURL.length).toBeLessThan(9000)
      const decoded = decodeDataUrl(preview.dataURL)
      expect({ width: decoded.width, height: decoded.height }).toEqual({ width: 64, height: 64 })
      expect(preview).toMatchObject({ width: 64, height: 64 })
      return meanDifference(decoded.data, target)
    })
    // Sharper with every step, and the last one is the picture itself.
    for (let i = 1; i < differences.length; i++) {
      expect(differences[i] as number).toBeLessThan(differences[i - 1] as number)
    }
    expect(differences[0] as number).toBeGreaterThan(20)
    expect(differences.at(-1) as number).toBeLessThan(4)
  })

  it('are the same on two simulators for the same seed, and follow the preview aspect', async () => {
    const [one, two] = await Promise.all([setup(), setup()])
    const clients = await Promise.all([connect(one), connect(two)])
    open.clients.push(...clients)
    const ids = [one, two].map((sim) => sim.enqueue(chain(77, 512, 256, 3)).item_ids[0] as number)
    await Promise.all([one, two].map((sim, i) => sim.whenSettled(ids[i] as number)))
    await Promise.all(
      clients.map((client, i) => client.waitFor(() => previewsOf(client, ids[i] as number).length === 3)),
    )
    const [a, b] = clients.map((client, i) => previewsOf(client, ids[i] as number))
    expect(a).toEqual(b)
    expect(a?.[0]).toMatchObject({ width: 64, height: 32 })
  })
})

describe('image routes', () => {
  it('unknown and malformed names are a 404 with a detail, other methods a 405, and nothing leaves the store', async () => {
    const sim = await setup({ staticDir: process.cwd() })
    const [output] = await runToEnd(sim, chain(3, 64, 64, 1))
    const name = (output as ImageOutput).name
    const missing = [
      '00000000-0000-0000-0000-000000000000.png',
      '..%2F..%2Fpackage.json',
      '%2e%2e',
      'package.json',
      `${name.replace('.png', '')}`,
      `${name}%00`,
      '%E0%A4%A',
      `..%5C${name}`,
      '.png',
    ]
    for (const segment of missing) {
      for (const suffix of ['', '/full', '/thumbnail']) {
        const response = await api(sim, 'GET', `/api/v1/images/i/${segment}${suffix}`)
        expect(response.status, `${segment}${suffix}`).toBe(404)
        expect(typeof response.body.detail).toBe('string')
      }
    }
    // Not image routes at all: the usual 404 (and never a file of the static folder).
    for (const path of [
      '/api/v1/images/i/x.png/metadata',
      '/api/v1/images/i/x.png/full/more',
      '/api/v1/images/i/',
    ]) {
      expect((await api(sim, 'GET', path)).status).toBe(404)
    }
    expect((await api(sim, 'POST', `/api/v1/images/i/${name}/full`, {})).status).toBe(405)
    expect((await api(sim, 'PUT', `/api/v1/images/i/${name}`, {})).status).toBe(405)
    expect((await api(sim, 'GET', `/api/v1/images/i/${name}`)).status).toBe(200)
  })

  it('the store keeps the most recent images only, and a wiped-database restart empties it', async () => {
    const sim = await setup({ maxImages: 2 })
    const [itemId] = sim.enqueueScenario('fanout', { params: { count: 3, steps: 1 } }).item_ids as [number]
    const outputs = imageOutputs(await sim.whenSettled(itemId))
    expect(outputs).toHaveLength(3)
    const statuses = async () =>
      Promise.all(outputs.map(async (o) => (await fetchFile(sim, filePath(o.name, 'full'))).status))
    // The first one was decoded first: it is the one that went.
    expect(await statuses()).toEqual([404, 200, 200])
    expect((await api(sim, 'GET', `/api/v1/images/i/${outputs[0]?.name}`)).status).toBe(404)
    await sim.restart()
    // The restart destroyed this client's pooled keep-alive sockets: let it see them closed first.
    await sleep(50)
    expect(await statuses()).toEqual([404, 404, 404])
    // A clear keeps them (InvokeAI's clear deletes queue rows, not images).
    const [after] = await runToEnd(sim, chain(1, 64, 64, 1))
    await api(sim, 'PUT', '/api/v1/queue/default/clear')
    expect((await fetchFile(sim, filePath((after as ImageOutput).name, 'full'))).status).toBe(200)
  })

  it('with a token the files are open (an <img> sends no header) and the DTO needs the token', async () => {
    const sim = await setup({ authToken: 'secret' })
    const [itemId] = sim.enqueue(chain(5, 64, 64, 1)).item_ids as [number]
    const [output] = imageOutputs(await sim.whenSettled(itemId))
    const name = (output as ImageOutput).name
    expect((await fetchFile(sim, filePath(name, 'full'))).status).toBe(200)
    expect((await fetchFile(sim, filePath(name, 'thumbnail'))).status).toBe(200)
    expect((await api(sim, 'GET', `/api/v1/images/i/${name}`)).status).toBe(401)
    expect((await api(sim, 'GET', `/api/v1/images/i/${name}`, undefined, 'secret')).body.image_name).toBe(
      name,
    )
  })
})
