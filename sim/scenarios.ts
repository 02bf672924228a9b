// Built-in workflows, each a graph builder. Node ids are fresh UUIDs per build, like the editor's.
import { uuid } from './random'
import type { GraphEdge, GraphNode, ScenarioInfo, ScenarioParams } from './types'

export interface ScenarioGraph {
  id: string
  nodes: Record<string, GraphNode>
  edges: GraphEdge[]
}

interface Scenario extends ScenarioInfo {
  build(params: ScenarioParams): ScenarioGraph
}

const node = (type: string, fields: Record<string, unknown> = {}): GraphNode => ({
  id: uuid(),
  is_intermediate: false,
  use_cache: type !== 'iterate',
  ...fields,
  type,
})

const edge = (source: GraphNode, sourceField: string, destination: GraphNode, destinationField: string) => ({
  source: { node_id: source.id, field: sourceField },
  destination: { node_id: destination.id, field: destinationField },
})

const graphOf = (nodes: GraphNode[], edges: GraphEdge[]): ScenarioGraph => ({
  id: uuid(),
  nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
  edges,
})

const range = (count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i)

export const scenarios: readonly Scenario[] = [
  {
    name: 'fanout',
    description:
      'integer_collection of K seeds → iterate → denoise → l2i: K copies of denoise and l2i, each with ' +
      'progress images (params.count = K, default 3; params.steps, default 8).',
    build: ({ count = 3, steps = 8 }) => {
      const seeds = node('integer_collection', { collection: range(count, 1000) })
      const iterate = node('iterate', { collection: [], index: 0 })
      const denoise = node('denoise', { steps, seed: 0, width: 512, height: 512, is_intermediate: true })
      const decode = node('l2i', { width: 512, height: 512 })
      return graphOf(
        [seeds, iterate, denoise, decode],
        [
          edge(seeds, 'collection', iterate, 'collection'),
          edge(iterate, 'item', denoise, 'seed'),
          edge(denoise, 'latents', decode, 'latents'),
        ],
      )
    },
  },
  {
    name: 'node_error',
    description:
      'denoise feeding two branches: l2i completes, then the sibling `fail` node raises ' +
      'OutOfMemoryError (failed, then invocation_error; the error is persisted in session.errors).',
    build: ({ steps = 4 }) => {
      const denoise = node('denoise', { steps, seed: 7, width: 512, height: 512, is_intermediate: true })
      const decode = node('l2i', { width: 512, height: 512 })
      const fail = node('fail', {
        error_type: 'OutOfMemoryError',
        error_message: 'CUDA out of memory. Tried to allocate 2.00 GiB',
      })
      return graphOf(
        [denoise, decode, fail],
        [edge(denoise, 'latents', decode, 'latents'), edge(denoise, 'latents', fail, 'latents')],
      )
    },
  },
  {
    name: 'simple',
    description:
      'integer_collection [1..K] → iterate → add(b = 10), like fixture item 42: no progress events, ' +
      'a fast run (params.count = K, default 2).',
    build: ({ count = 2 }) => {
      const numbers = node('integer_collection', { collection: range(count, 1) })
      const iterate = node('iterate', { collection: [], index: 0 })
      const add = node('add', { a: 0, b: 10 })
      return graphOf(
        [numbers, iterate, add],
        [edge(numbers, 'collection', iterate, 'collection'), edge(iterate, 'item', add, 'a')],
      )
    },
  },
  {
    name: 'long',
    description:
      'one denoise with many steps → l2i, for cancel demos (params.steps, default 100: about 4 s at 40 ms a step).',
    build: ({ steps = 100 }) => {
      const denoise = node('denoise', { steps, seed: 42, width: 512, height: 512, is_intermediate: true })
      const decode = node('l2i', { width: 512, height: 512 })
      return graphOf([denoise, decode], [edge(denoise, 'latents', decode, 'latents')])
    },
  },
  {
    name: 'bad_input',
    description:
      'add(1, 2) completes, then a node with unusable inputs fails: invocation_error arrives for a ' +
      'node that never sent invocation_started.',
    build: () => {
      const add = node('add', { a: 1, b: 2 })
      const bad = node('fail', { bad_input: true })
      return graphOf([add, bad], [edge(add, 'value', bad, 'value')])
    },
  },
  {
    name: 'workflow_call',
    description:
      'denoise → workflow_call → l2i: the call runs denoise → l2i as a child item (its own id and ' +
      "pending → in_progress → completed, the parent's origin) while the parent waits, then the parent " +
      'resumes waiting → pending → in_progress and decodes (params.steps, default 4, in both).',
    build: ({ steps = 4 }) => {
      const childDenoise = node('denoise', {
        steps,
        seed: 11,
        width: 512,
        height: 512,
        is_intermediate: true,
      })
      const childDecode = node('l2i', { width: 512, height: 512 })
      const child = graphOf(
        [childDenoise, childDecode],
        [edge(childDenoise, 'latents', childDecode, 'latents')],
      )
      const denoise = node('denoise', { steps, seed: 5, width: 512, height: 512, is_intermediate: true })
      const call = node('workflow_call', { graph: child })
      const decode = node('l2i', { width: 512, height: 512 })
      // The call comes before the decode in the node order: both are ready after denoise, the call runs first.
      return graphOf(
        [denoise, call, decode],
        [edge(denoise, 'latents', call, 'latents'), edge(denoise, 'latents', decode, 'latents')],
      )
    },
  },
]

export const scenarioInfos: readonly ScenarioInfo[] = scenarios.map(({ name, description }) => ({
  name,
  description,
}))
