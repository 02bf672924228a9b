import { activeJob, jobOfEntry, queueAnswer, queueTuple } from '../helpers/comfyWire'
import { inWindow, type DeliverySpec, type FetchBehaviour } from './delivery'
import { CLIENT_ID, phaseAt, type ScheduledPrompt, type Timeline } from './server'

/*
 * The server's REST, as the engine's own fetch sees it (`/api/jobs/{id}`, `/api/jobs?limit=1`,
 * `/history/{id}`, `/queue`, `POST /prompt`): every GET answered from the server's state at the step it
 * is asked, at once, failing, or late (a late answer carries the state as it was when asked; an abort
 * rejects it at once). Once every prompt is over the server is healthy: answers come at once.
 */

export interface RestClock {
  now: number
  healthy: boolean
}

interface Late {
  due: number
  resolve: () => void
}

export const BASE_URL = 'http://comfy.test'

/** A Response as far as the adapter reads one. */
function answer(status: number, body: string): Response {
  return {
    ok: status >= 200 && status < 300,
    status,
    text: async () => body,
    json: async () => JSON.parse(body) as unknown,
  } as Response
}

interface Bodies {
  history: string
  job: string
  tuple: unknown
}

export function createRest(options: {
  timeline: Timeline
  spec: DeliverySpec
  clock: RestClock
  log: (line: string) => void
}) {
  const { timeline, spec, clock, log } = options
  const late: Late[] = []
  let fetchIndex = 0
  const byId = new Map(timeline.prompts.map((prompt) => [prompt.promptId, prompt]))
  const bodies = new Map<string, Bodies>()
  const bodiesOf = (prompt: ScheduledPrompt): Bodies => {
    let known = bodies.get(prompt.promptId)
    if (!known) {
      const entry = prompt.run?.entry
      known = {
        history: entry ? JSON.stringify({ [prompt.promptId]: entry }) : '{}',
        job: entry ? JSON.stringify(jobOfEntry(entry, prompt.promptId)) : '',
        tuple: queueTuple(prompt.number, prompt.promptId, {
          prompt: prompt.graph.prompt,
          outputs: prompt.graph.outputs,
          clientId: prompt.own ? CLIENT_ID : null,
        }),
      }
      bodies.set(prompt.promptId, known)
    }
    return known
  }

  /** The answer to one GET at `time`, and how the trace tells it. */
  const get = (path: string, time: number): [number, string, string] => {
    if (path === '/api/jobs?limit=1')
      return spec.jobsApi
        ? [200, '{"jobs":[],"pagination":{"offset":0,"limit":1,"total":0,"has_more":false}}', 'jobs API']
        : [404, '404: Not Found', '404']
    if (path === '/queue') {
      const running: unknown[] = []
      const pending: unknown[] = []
      const said: string[] = []
      for (const prompt of timeline.prompts) {
        const phase = phaseAt(prompt, time)
        if (phase === 'running') running.push(bodiesOf(prompt).tuple)
        if (phase === 'pending') pending.push(bodiesOf(prompt).tuple)
        if (phase === 'running' || phase === 'pending') said.push(`${prompt.label} ${phase}`)
      }
      return [200, JSON.stringify(queueAnswer(running, pending)), `[${said.join(', ')}]`]
    }
    const jobs = /^\/api\/jobs\/([^/?]+)$/.exec(path)
    const history = /^\/history\/([^/?]+)$/.exec(path)
    const id = decodeURIComponent((jobs ?? history)?.[1] ?? '')
    const prompt = byId.get(id)
    const phase = prompt ? phaseAt(prompt, time) : 'unknown'
    if (jobs) {
      if (!spec.jobsApi) return [404, '404: Not Found', '404 (no jobs API)']
      if (!prompt || phase === 'unknown' || phase === 'absent')
        return [404, '{"error":"Job not found"}', '404']
      if (phase === 'persisted') return [200, bodiesOf(prompt).job, `${prompt.truth.status}`]
      const status = phase === 'running' ? 'in_progress' : 'pending'
      return [200, JSON.stringify(activeJob(status, id)), status]
    }
    if (history) {
      if (prompt && phase === 'persisted') return [200, bodiesOf(prompt).history, `${prompt.truth.status}`]
      return [200, '{}', '{}']
    }
    return [404, '404: Not Found', '404 (no such route)']
  }

  const labelOf = (path: string) => {
    let said = path
    for (const prompt of timeline.prompts) said = said.replace(prompt.promptId, prompt.label)
    return said
  }

  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input))
    const path = `${url.pathname}${url.search}`
    if (init?.method === 'POST') {
      const body = JSON.parse(String(init.body)) as { prompt_id: string }
      const prompt = byId.get(body.prompt_id)
      log(`POST /prompt ${prompt?.label ?? body.prompt_id}`)
      return answer(
        200,
        JSON.stringify({ prompt_id: body.prompt_id, number: prompt?.number ?? 0, node_errors: {} }),
      )
    }
    const askedAt = clock.now
    if (!clock.healthy && inWindow(spec.outages, timeline.emittedUntil, askedAt)) {
      log(`GET ${labelOf(path)}: server unreachable`)
      throw new TypeError('fetch failed')
    }
    const behaviour: FetchBehaviour = clock.healthy ? 'ok' : (spec.fetches[fetchIndex++] ?? 'ok')
    if (behaviour === 'fail') {
      log(`GET ${labelOf(path)}: fails`)
      throw new TypeError('fetch failed')
    }
    const [status, body, said] = get(path, askedAt)
    if (behaviour === 'ok') {
      log(`GET ${labelOf(path)} → ${said}`)
      return answer(status, body)
    }
    log(`GET ${labelOf(path)} (slow ${behaviour.slow}) → ${said}`)
    const signal = init?.signal
    return new Promise<Response>((resolve, reject) => {
      const pending: Late = {
        due: askedAt + behaviour.slow,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve(answer(status, body))
        },
      }
      const onAbort = () => {
        const at = late.indexOf(pending)
        if (at >= 0) late.splice(at, 1)
        reject(new DOMException('aborted', 'AbortError'))
      }
      if (signal?.aborted) return onAbort()
      signal?.addEventListener('abort', onAbort, { once: true })
      late.push(pending)
    })
  }) as typeof globalThis.fetch

  return {
    fetch,
    /** Answers the late requests that are due (all of them: `all`). */
    answerDue(all: boolean): number {
      const due = late.filter((pending) => all || pending.due <= clock.now)
      for (const pending of due) {
        late.splice(late.indexOf(pending), 1)
        pending.resolve()
      }
      return due.length
    },
    pendingCount: () => late.length,
  }
}
