import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodePng } from '../../tests/pngDecode'
import { defaultWorkflow, startComfySimulator } from '../index'
import { api, closeAll, connect, startSim } from './helpers'

afterEach(closeAll)

/** A raw request with headers fetch would not let a test set (Host). */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', reject)
    req.end()
  })
}

describe('GET /view', () => {
  it('serves a saved image as a real PNG of the requested size, 404 for an unknown one', async () => {
    const sim = await startSim()
    const entry = await sim.whenSettled(
      sim.submit({ prompt: defaultWorkflow({ steps: 1, width: 96, height: 64, previewImage: true }) })
        .prompt_id,
    )
    const saved = entry.outputs['9']?.images[0]
    const response = await fetch(`${sim.url}/view?filename=${saved?.filename}&subfolder=&type=output`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    const png = decodePng(Buffer.from(await response.arrayBuffer()))
    expect(png).toMatchObject({ width: 96, height: 64, channels: 3 })
    // The temp file of PreviewImage, under /api too; the same picture.
    const temp = entry.outputs['10']?.images[0]
    const again = await fetch(`${sim.url}/api/view?filename=${temp?.filename}&type=temp`)
    expect(decodePng(Buffer.from(await again.arrayBuffer())).data).toEqual(png.data)

    expect((await fetch(`${sim.url}/view?filename=${saved?.filename}&type=temp`)).status).toBe(404)
    expect((await fetch(`${sim.url}/view?filename=nope.png`)).status).toBe(404)
    expect((await fetch(`${sim.url}/view?filename=../secret.png`)).status).toBe(400)
  })
})

describe('REST surface', () => {
  it('answers every route bare and under /api; unknown routes 404 as text', async () => {
    const sim = await startSim()
    expect((await api(sim, 'GET', '/prompt')).body).toEqual({ exec_info: { queue_remaining: 0 } })
    expect((await api(sim, 'GET', '/api/queue')).body).toEqual({ queue_running: [], queue_pending: [] })
    expect((await api(sim, 'GET', '/api/features')).body).toMatchObject({ supports_preview_metadata: true })
    expect((await api(sim, 'GET', '/history/unknown')).body).toEqual({})
    expect(await api(sim, 'GET', '/api/jobs/unknown')).toEqual({
      status: 404,
      body: { error: 'Job not found' },
    })
    expect(await api(sim, 'GET', '/nothing')).toEqual({ status: 404, body: '404: Not Found' })
    expect((await api(sim, 'PUT', '/prompt')).status).toBe(405)
    expect((await api(sim, 'GET', '/api/jobs?status=lost')).status).toBe(400)
  })

  it('deletes and clears history with POST /history', async () => {
    const sim = await startSim()
    const ids = []
    for (const seed of [1, 2, 3]) {
      const { prompt_id: promptId } = sim.submit({ prompt: defaultWorkflow({ steps: 1, seed }) })
      ids.push(promptId)
      await sim.whenSettled(promptId)
    }
    await api(sim, 'POST', '/history', { delete: [ids[0]] })
    expect(Object.keys((await api(sim, 'GET', '/history')).body)).toEqual(ids.slice(1))
    expect((await api(sim, 'GET', `/api/jobs/${ids[0]}`)).status).toBe(404)
    const jobs = (await api(sim, 'GET', '/api/jobs?status=completed,failed')).body
    expect(jobs.pagination).toMatchObject({ total: 2, has_more: false })
    await api(sim, 'POST', '/api/history', { clear: true })
    expect((await api(sim, 'GET', '/history')).body).toEqual({})
  })

  it('refuses a foreign Host, and a foreign Origin on POST and on the socket', async () => {
    const sim = await startSim()
    expect(await rawGet(`${sim.url}/queue`, { host: 'evil.example' })).toBe(403)
    const foreign = await fetch(`${sim.url}/prompt`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: defaultWorkflow() }),
    })
    expect(foreign.status).toBe(403)
    expect(
      await rawGet(`${sim.url}/ws`, {
        origin: 'http://evil.example',
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      }),
    ).toBe(403)
    expect(
      await rawGet(`${sim.url}/other`, {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      }),
    ).toBe(404)
  })

  it('keeps maxHistory entries, the oldest evicted first', async () => {
    const sim = await startSim({ maxHistory: 2 })
    const ids: string[] = []
    for (const seed of [1, 2, 3]) {
      const { prompt_id: promptId } = sim.submit({ prompt: defaultWorkflow({ steps: 1, seed }) })
      ids.push(promptId)
      await sim.whenSettled(promptId)
    }
    expect(Object.keys((await api(sim, 'GET', '/history')).body)).toEqual(ids.slice(1))
    expect((await api(sim, 'GET', `/history/${ids[0]}`)).body).toEqual({})
  })

  it('serves staticDir for GET requests no route takes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'comfy-sim-'))
    try {
      writeFileSync(path.join(dir, 'index.html'), '<h1>page</h1>')
      const sim = await startSim({ staticDir: dir })
      const page = await fetch(`${sim.url}/`)
      expect(page.headers.get('content-type')).toContain('text/html')
      expect(await page.text()).toBe('<h1>page</h1>')
      expect((await api(sim, 'GET', '/queue')).body).toEqual({ queue_running: [], queue_pending: [] })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('reads a prompt posted without a content type, as scripts send it', async () => {
    const sim = await startSim()
    const response = await fetch(`${sim.url}/prompt`, {
      method: 'POST',
      body: new TextEncoder().encode(JSON.stringify({ prompt: defaultWorkflow({ steps: 1 }) })),
    })
    expect(response.status).toBe(200)
  })
})

describe('the simulator object', () => {
  it('whenSettled rejects for an unknown prompt; disconnectClients drops every socket; close stops a run', async () => {
    const sim = await startComfySimulator({ stepDelayMs: 5 })
    await expect(sim.whenSettled('unknown')).rejects.toMatchObject({ status: 404 })
    const client = await connect(sim)
    sim.disconnectClients()
    await client.closed
    const { prompt_id: promptId } = sim.submit({ prompt: defaultWorkflow({ steps: 100 }) })
    const settled = sim.whenSettled(promptId)
    await sim.close()
    await expect(settled).rejects.toMatchObject({ status: 503 })
    await expect(fetch(`${sim.url}/queue`)).rejects.toThrow()
    expect(() => sim.submit({ prompt: defaultWorkflow() })).toThrow()
  })

  it('listens on loopback only', async () => {
    await expect(startComfySimulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/)
  })
})
