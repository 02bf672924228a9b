import { statusFrame } from '../helpers/comfyWire'
import { buildGraph, type PromptGraph } from './graph'
import { buildRun, GONE, type Audience, type PromptRun, type PromptSpec, type PromptTruth } from './runs'

/*
 * The server over time: the prompts are submitted one after the other (`gap` steps apart), and one
 * worker runs them in the order they were queued, one frame per step (docs/comfyui.md §3.3): the
 * queue's status broadcast as it takes a prompt, the run's frames, then `lag` steps with nothing, the
 * history written (with the status broadcast), and `executing { node: null }`; the next prompt starts on
 * the step after. A prompt deleted while pending, or cleared with every other pending prompt, vanishes:
 * no frame, never in history. What the REST answers at a step is the server's state at that step.
 */

/** The client's own prompts, and maybe one of an API script (no client id) somewhere in the queue. */
export interface ComfyCase {
  prompts: PromptSpec[]
  foreign: { position: number; prompt: PromptSpec } | null
}

export type Realized = 'success' | 'failure' | 'interrupt' | 'deleted' | 'cleared'

export interface ScheduledPrompt {
  /** `p1`, `p2`, … for the client's own, `api` for the script's. */
  label: string
  promptId: string
  own: boolean
  spec: PromptSpec
  /** What it was submitted as (and runs, if it does). */
  graph: PromptGraph
  /** POST /prompt's `number`: its place in the queue. */
  number: number
  submitAt: number
  realized: Realized
  /** Its first frame (the status broadcast as the worker takes it); null if it never ran. */
  startAt: number | null
  terminalAt: number | null
  /** From this step on, history holds it. */
  historyAt: number | null
  /** From this step on, the server holds it nowhere (deleted or cleared while pending). */
  removedAt: number | null
  run: PromptRun | null
  truth: PromptTruth
}

export interface TimedFrame {
  at: number
  prompt: ScheduledPrompt
  audience: Audience | 'all'
  wire: string | Uint8Array
  label: string
  executing?: string
}

export interface Timeline {
  prompts: ScheduledPrompt[]
  /** One per step at most, in step order. */
  frames: TimedFrame[]
  /** The step after the server's last emission (or removal). */
  emittedUntil: number
}

export const CLIENT_ID = 'property-client'
const STARTED_AT = 1_756_000_000_000

const promptIdOf = (own: boolean, index: number) =>
  `${own ? '0000' : 'a11a'}${String(index).padStart(4, '0')}-0000-4000-8000-000000000000`

export function scheduleCase(workflow: ComfyCase): Timeline {
  const queued: { spec: PromptSpec; own: boolean; label: string }[] = workflow.prompts.map((spec, index) => ({
    spec,
    own: true,
    label: `p${index + 1}`,
  }))
  if (workflow.foreign) {
    const at = workflow.foreign.position % (queued.length + 1)
    queued.splice(at, 0, { spec: workflow.foreign.prompt, own: false, label: 'api' })
  }
  let submitAt = 0
  const prompts: ScheduledPrompt[] = queued.map(({ spec, own, label }, index) => {
    submitAt += index === 0 ? 0 : spec.gap
    return {
      label,
      promptId: promptIdOf(own, index + 1),
      own,
      spec,
      graph: buildGraph(spec.graph),
      number: index + 1,
      submitAt,
      realized:
        spec.ending.kind === 'deleted' || spec.ending.kind === 'cleared' ? spec.ending.kind : 'success',
      startAt: null,
      terminalAt: null,
      historyAt: null,
      removedAt: null,
      run: null,
      truth: GONE,
    }
  })

  const frames: TimedFrame[] = []
  const statusAt: { at: number; prompt: ScheduledPrompt }[] = []
  let free = 1
  let emittedUntil = 0
  prompts.forEach((prompt, index) => {
    if (prompt.removedAt !== null) return
    const { ending } = prompt.spec
    // It would start once the worker is free, on a step after it was queued.
    const start = Math.max(free, prompt.submitAt + 1)
    if (ending.kind === 'deleted' || ending.kind === 'cleared') {
      const at = Math.min(start, Math.max(prompt.submitAt + 1, start - ending.back))
      // A clear takes every prompt pending then; a delete only this one.
      const gone =
        ending.kind === 'cleared' ? prompts.slice(index).filter((later) => later.submitAt <= at) : [prompt]
      for (const pending of gone) {
        pending.removedAt = at
        pending.realized = ending.kind
      }
      emittedUntil = Math.max(emittedUntil, at + 1)
      return
    }
    const run = buildRun(prompt.spec, prompt.graph, ending, {
      promptId: prompt.promptId,
      number: prompt.number,
      own: prompt.own,
      startedAt: STARTED_AT + prompt.number * 60_000,
    })
    prompt.realized = ending.kind
    prompt.run = run
    prompt.truth = run.truth
    prompt.startAt = start
    statusAt.push({ at: start, prompt })
    run.emissions.forEach((emission, offset) => frames.push({ at: start + 1 + offset, prompt, ...emission }))
    prompt.terminalAt = start + run.emissions.length
    prompt.historyAt = prompt.terminalAt + 1 + prompt.spec.lag
    statusAt.push({ at: prompt.historyAt, prompt })
    frames.push({
      at: prompt.historyAt + 1,
      prompt,
      audience: 'client',
      wire: JSON.stringify({ type: 'executing', data: { node: null, prompt_id: prompt.promptId } }),
      label: 'executing null',
    })
    free = prompt.historyAt + 2
    emittedUntil = Math.max(emittedUntil, free)
  })
  const timeline: Timeline = { prompts, frames, emittedUntil }
  // The queue's broadcasts, as the worker takes a prompt and as its history is written.
  for (const { at, prompt } of statusAt)
    frames.push({
      at,
      prompt,
      audience: 'all',
      wire: statusFrame(queueRemainingAt(timeline, at)),
      label: 'status',
    })
  frames.sort((a, b) => a.at - b.at)
  return timeline
}

export type Phase = 'unknown' | 'pending' | 'running' | 'persisted' | 'absent'

/** Where a prompt stands on the server at a step. */
export function phaseAt(prompt: ScheduledPrompt, time: number): Phase {
  if (time < prompt.submitAt) return 'unknown'
  if (prompt.removedAt !== null && time >= prompt.removedAt) return 'absent'
  if (prompt.startAt === null || time < prompt.startAt) return 'pending'
  return time < (prompt.historyAt as number) ? 'running' : 'persisted'
}

export function queueRemainingAt(timeline: Timeline, time: number): number {
  return timeline.prompts.filter((prompt) => {
    const phase = phaseAt(prompt, time)
    return phase === 'pending' || phase === 'running'
  }).length
}

/** The own prompt whose node runs at `time`, and that node: what a reconnect replays. */
export function replayAt(timeline: Timeline, time: number): string | null {
  const running = timeline.prompts.find(
    (prompt) =>
      prompt.own && prompt.startAt !== null && time > prompt.startAt && time <= (prompt.terminalAt as number),
  )
  if (!running) return null
  const last = timeline.frames
    .filter((frame) => frame.prompt === running && frame.at < time && frame.executing)
    .at(-1)
  return last?.executing ?? null
}

export function describeTimeline(timeline: Timeline): string {
  return timeline.prompts
    .map((prompt) => {
      const who = `${prompt.label}${prompt.own ? '' : ' (API script, no client id)'} ${prompt.promptId.slice(0, 8)}`
      const when =
        prompt.startAt === null
          ? `${prompt.realized} at t${prompt.removedAt}`
          : `ran t${prompt.startAt}-t${prompt.terminalAt} (${prompt.realized}), history t${prompt.historyAt}`
      const nodes = prompt.run
        ? ` order [${prompt.run.graph.order}] cached [${[...prompt.run.graph.cached]}] runs [${[...prompt.run.graph.runs]}]` +
          (prompt.truth.blocked ? ` blocked ${prompt.truth.blocked}` : '')
        : ''
      return `  ${who}: submitted t${prompt.submitAt}, ${when};${nodes}`
    })
    .join('\n')
}
