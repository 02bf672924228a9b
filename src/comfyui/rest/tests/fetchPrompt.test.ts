import { describe, expect, it } from 'vitest'
import {
  activeJob,
  historyEntry,
  jobOfEntry,
  PROMPT_ID,
  queueTuple,
} from '../../../../test/helpers/comfyWire'
import type { ItemMeta } from '../../../features/workflowExecution/model/types'
import { HttpStatusError } from '../../../invokeai/reconciliation/fetchQueueItem'
import {
  ComfyHttpError,
  fetchComfyQueue,
  fetchPersistedPrompt,
  historyEntrySchema,
  persistedRunOfHistoryEntry,
  type ComfyFetch,
} from '..'

const BASE = 'http://comfy.test:8188/'
const ROOT = 'http://comfy.test:8188'
const JOB = `${ROOT}/api/jobs/${PROMPT_ID}`
const PROBE = `${ROOT}/api/jobs?limit=1`
const HISTORY = `${ROOT}/history/${PROMPT_ID}`
const QUEUE = `${ROOT}/queue`

const META: ItemMeta = {
  queueId: 'default',
  origin: null,
  destination: null,
  batchId: null,
  sessionId: PROMPT_ID,
  userId: null,
}

/** What a URL answers: JSON, raw text, or one answer per call in turn. */
type Answer = { status?: number; json?: unknown; text?: string }

/** A plain fake fetch over a map of URL → answer; anything else is aiohttp's plain 404. */
function fakeFetch(routes: Map<string, Answer | Answer[]>) {
  const calls: { url: string; headers: Headers }[] = []
  const fetch: ComfyFetch = async (url, init) => {
    calls.push({ url, headers: new Headers(init.headers) })
    const route = routes.get(url)
    const answer = Array.isArray(route) ? (route.length > 1 ? route.shift() : route[0]) : route
    if (answer === undefined) return new Response('404: Not Found', { status: 404 })
    const body = answer.text ?? JSON.stringify(answer.json)
    return new Response(body, { status: answer.status ?? 200 })
  }
  return { fetch, urls: () => calls.map((call) => call.url), calls }
}

const lookup = (routes: Map<string, Answer | Answer[]>, options: { jobsApi?: boolean } = {}) => {
  const fake = fakeFetch(routes)
  return {
    fake,
    result: fetchPersistedPrompt(PROMPT_ID, { baseUrl: BASE, fetch: fake.fetch, meta: META, ...options }),
  }
}

const notFoundJob: Answer = { status: 404, json: { error: 'Job not found' } }
const emptyQueue = { queue_running: [], queue_pending: [] }

describe('fetchPersistedPrompt on a server with the jobs API', () => {
  it('reads a terminal job as the persisted run, in one request, with the caller’s headers', async () => {
    const body = historyEntry({ end: 'error', node: '3', executed: ['4', '5', '6', '7'], outputs: {} })
    const fake = fakeFetch(new Map([[JOB, { json: jobOfEntry(body) }]]))
    const result = await fetchPersistedPrompt(PROMPT_ID, {
      baseUrl: BASE,
      fetch: fake.fetch,
      meta: META,
      headers: { authorization: 'Bearer t' },
    })
    expect(result).toEqual({
      kind: 'persisted',
      via: 'jobs',
      api: 'jobs',
      run: persistedRunOfHistoryEntry(PROMPT_ID, historyEntrySchema.parse(body), META),
    })
    expect(fake.urls()).toEqual([JOB])
    expect(fake.calls[0]?.headers.get('authorization')).toBe('Bearer t')
    expect(fake.calls[0]?.headers.get('accept')).toBe('application/json')
  })

  it('reads a pending or running job as active', async () => {
    for (const status of ['pending', 'in_progress'] as const) {
      const { result } = lookup(new Map([[JOB, { json: activeJob(status) }]]))
      await expect(result).resolves.toEqual({ kind: 'active', status, api: 'jobs' })
    }
  })

  it('takes a 404 as absent once GET /api/jobs?limit=1 shows the API is there', async () => {
    const { fake, result } = lookup(
      new Map([
        [JOB, notFoundJob],
        [PROBE, { json: { jobs: [], pagination: { offset: 0, limit: 1, total: 0, has_more: false } } }],
      ]),
    )
    await expect(result).resolves.toEqual({ kind: 'absent', api: 'jobs' })
    expect(fake.urls()).toEqual([JOB, PROBE])
  })

  it('skips the probe when the caller knows the jobs API is there', async () => {
    const { fake, result } = lookup(new Map([[JOB, notFoundJob]]), { jobsApi: true })
    await expect(result).resolves.toEqual({ kind: 'absent', api: 'jobs' })
    expect(fake.urls()).toEqual([JOB])
  })
})

describe('fetchPersistedPrompt on a server without the jobs API (older than v0.6)', () => {
  it('reads a history entry as the persisted run', async () => {
    const body = historyEntry({ cached: ['4'] })
    const { fake, result } = lookup(new Map([[HISTORY, { json: { [PROMPT_ID]: body } }]]))
    await expect(result).resolves.toEqual({
      kind: 'persisted',
      via: 'history',
      api: 'history',
      run: persistedRunOfHistoryEntry(PROMPT_ID, historyEntrySchema.parse(body), META),
    })
    expect(fake.urls()).toEqual([JOB, PROBE, HISTORY])
  })

  it('reads {} and the prompt in the queue as active, pending or running', async () => {
    const pending = lookup(
      new Map([
        [HISTORY, { json: {} }],
        [QUEUE, { json: { queue_running: [queueTuple(1, 'other')], queue_pending: [queueTuple(2)] } }],
      ]),
    )
    await expect(pending.result).resolves.toEqual({ kind: 'active', status: 'pending', api: 'history' })
    expect(pending.fake.urls()).toEqual([JOB, PROBE, HISTORY, QUEUE])

    const running = lookup(
      new Map([
        [HISTORY, { json: {} }],
        [QUEUE, { json: { queue_running: [queueTuple(1)], queue_pending: [] } }],
      ]),
      { jobsApi: false },
    )
    await expect(running.result).resolves.toEqual({ kind: 'active', status: 'in_progress', api: 'history' })
    expect(running.fake.urls()).toEqual([HISTORY, QUEUE])
  })

  it('reads {} and a queue without the prompt as absent, after reading the history once more', async () => {
    const { fake, result } = lookup(
      new Map([
        [HISTORY, { json: {} }],
        [QUEUE, { json: emptyQueue }],
      ]),
    )
    await expect(result).resolves.toEqual({ kind: 'absent', api: 'history' })
    expect(fake.urls()).toEqual([JOB, PROBE, HISTORY, QUEUE, HISTORY])
  })

  it('finds a prompt that finished between the history and the queue reads', async () => {
    const { result } = lookup(
      new Map<string, Answer | Answer[]>([
        [HISTORY, [{ json: {} }, { json: { [PROMPT_ID]: historyEntry() } }]],
        [QUEUE, { json: emptyQueue }],
      ]),
      { jobsApi: false },
    )
    await expect(result).resolves.toMatchObject({ kind: 'persisted', via: 'history' })
  })

  it('ignores another prompt’s entry in the history answer', async () => {
    const { result } = lookup(
      new Map([
        [HISTORY, { json: { other: historyEntry({ promptId: 'other' }) } }],
        [QUEUE, { json: emptyQueue }],
      ]),
      { jobsApi: false },
    )
    await expect(result).resolves.toEqual({ kind: 'absent', api: 'history' })
  })
})

describe('fetchPersistedPrompt when the answer is wrong', () => {
  it('throws an HttpStatusError naming the request on an unexpected status', async () => {
    const failure = await lookup(new Map([[JOB, { status: 500, text: 'boom' }]])).result.catch((e) => e)
    expect(failure).toBeInstanceOf(ComfyHttpError)
    expect(failure).toBeInstanceOf(HttpStatusError)
    expect(failure).toMatchObject({ status: 500, message: `GET /api/jobs/${PROMPT_ID} answered HTTP 500` })

    await expect(lookup(new Map([[PROBE, { status: 503, text: '' }]])).result).rejects.toMatchObject({
      status: 503,
    })
    await expect(
      lookup(new Map([[HISTORY, { status: 502, text: '' }]]), { jobsApi: false }).result,
    ).rejects.toMatchObject({ status: 502 })
  })

  it('rejects a body that is not JSON, or not of the expected shape, naming the issue', async () => {
    await expect(lookup(new Map([[JOB, { text: '<html>' }]])).result).rejects.toThrow(
      /\/api\/jobs\/.* answered invalid JSON/,
    )
    await expect(
      lookup(new Map([[JOB, { json: { id: PROMPT_ID, status: 'done' } }]])).result,
    ).rejects.toThrow(/answered an unexpected body: status: /)
    await expect(
      lookup(new Map([[HISTORY, { json: { [PROMPT_ID]: { status: { status_str: 'done' } } } }]]), {
        jobsApi: false,
      }).result,
    ).rejects.toThrow(
      new RegExp(`/history/${PROMPT_ID} answered an unexpected body: ${PROMPT_ID}.status.status_str`),
    )
    await expect(
      lookup(
        new Map([
          [HISTORY, { json: {} }],
          [QUEUE, { json: { queue_running: [] } }],
        ]),
        { jobsApi: false },
      ).result,
    ).rejects.toThrow(/\/queue answered an unexpected body: queue_pending/)
    await expect(lookup(new Map([[JOB, { json: [] }]])).result).rejects.toThrow(/\(body\)/)
  })

  it('rejects a job that is another prompt’s, and outputs nested too deep', async () => {
    await expect(lookup(new Map([[JOB, { json: activeJob('pending', 'other') }]])).result).rejects.toThrow(
      /answered job other/,
    )
    let deep: unknown = 'leaf'
    for (let at = 0; at < 100; at += 1) deep = [deep]
    const job = { ...jobOfEntry(historyEntry()), outputs: { '9': { images: deep } } }
    await expect(lookup(new Map([[JOB, { json: job }]])).result).rejects.toThrow(
      /nested too deep at outputs\.9/,
    )
  })

  it('names the request when the fetch itself fails', async () => {
    const fetch: ComfyFetch = async () => {
      throw new TypeError('fetch failed: ECONNREFUSED')
    }
    await expect(fetchPersistedPrompt(PROMPT_ID, { baseUrl: BASE, fetch, meta: META })).rejects.toThrow(
      `GET /api/jobs/${PROMPT_ID} failed: fetch failed: ECONNREFUSED`,
    )
  })
})

describe('fetchPersistedPrompt when aborted', () => {
  it('throws at once for a signal already aborted, without a request', async () => {
    const fake = fakeFetch(new Map())
    const controller = new AbortController()
    controller.abort('superseded')
    await expect(
      fetchPersistedPrompt(PROMPT_ID, {
        baseUrl: BASE,
        fetch: fake.fetch,
        meta: META,
        signal: controller.signal,
      }),
    ).rejects.toThrow('aborted')
    expect(fake.urls()).toEqual([])
  })

  it('throws when the signal aborts mid-request, though the fetch rejects with a plain string', async () => {
    const controller = new AbortController()
    const fetch: ComfyFetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        // A fetch given listenerApi.signal rejects with its reason, a string, not an AbortError.
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason))
      })
    const result = fetchPersistedPrompt(PROMPT_ID, {
      baseUrl: BASE,
      fetch,
      meta: META,
      signal: controller.signal,
    })
    controller.abort('listener cancelled')
    const error = await result.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ message: 'aborted', cause: 'listener cancelled' })
  })

  it('throws when the signal aborted while the answer came, without reading on', async () => {
    const controller = new AbortController()
    const fake = fakeFetch(new Map([[JOB, notFoundJob]]))
    const fetch: ComfyFetch = async (url, init) => {
      const response = await fake.fetch(url, init)
      controller.abort('gone')
      return response
    }
    await expect(
      fetchPersistedPrompt(PROMPT_ID, { baseUrl: BASE, fetch, meta: META, signal: controller.signal }),
    ).rejects.toThrow('aborted')
    expect(fake.urls()).toEqual([JOB])
  })
})

describe('fetchComfyQueue', () => {
  it('reads the running and pending prompts, pending sorted by number (the server sends its heap)', async () => {
    const fake = fakeFetch(
      new Map([
        [
          QUEUE,
          {
            json: {
              queue_running: [queueTuple(4, 'run', { clientId: null })],
              queue_pending: [queueTuple(5, 'e'), queueTuple(8, 'h'), queueTuple(6, 'f'), queueTuple(7, 'g')],
            },
          },
        ],
      ]),
    )
    const queue = await fetchComfyQueue({ baseUrl: BASE, fetch: fake.fetch })
    expect(queue.running).toEqual([
      { promptId: 'run', number: 4, clientId: null, prompt: queueTuple(4)[2], outputsToExecute: ['9'] },
    ])
    expect(queue.pending.map((entry) => [entry.promptId, entry.number, entry.clientId])).toEqual([
      ['e', 5, 'client-1'],
      ['f', 6, 'client-1'],
      ['g', 7, 'client-1'],
      ['h', 8, 'client-1'],
    ])
  })

  it('rejects a queue tuple cut short', async () => {
    const fake = fakeFetch(new Map([[QUEUE, { json: { queue_running: [[5]], queue_pending: [] } }]]))
    await expect(fetchComfyQueue({ baseUrl: BASE, fetch: fake.fetch })).rejects.toThrow(
      /\/queue answered an unexpected body: queue_running\.0/,
    )
  })
})
