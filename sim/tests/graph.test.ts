// Graph preparation through real runs: results are read back from the persisted session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { Simulator } from '../types'
import { createRandom } from '../random'

const state: { sim?: Simulator } = {}
beforeAll(async () => {
  state.sim = await startSimulator({ stepDelayMs: 1 })
})
afterAll(() => state.sim?.close())

type Session = {
  results: Record<string, { type: string; value?: number; collection?: number[] }>
  prepared_source_mapping: Record<string, string>
  prepared_iteration_paths: Record<string, number[]>
  execution_graph: { nodes: Record<string, unknown>; edges: unknown[] }
}

const edge = (from: string, field: string, to: string, toField: string) => ({
  source: { node_id: from, field },
  destination: { node_id: to, field: toField },
})

async function run(nodes: Record<string, Record<string, unknown>>, edges: ReturnType<typeof edge>[]) {
  const sim = state.sim as Simulator
  const withIds = Object.fromEntries(Object.entries(nodes).map(([id, node]) => [id, { id, ...node }]))
  const [itemId] = sim.enqueue({ batch: { graph: { nodes: withIds, edges } } }).item_ids as [number]
  const item = (await sim.whenSettled(itemId)) as { status: string; session: Session }
  const valuesOf = (source: string) =>
    Object.entries(item.session.results)
      .filter(([id]) => item.session.prepared_source_mapping[id] === source)
      .map(([, result]) => result.value ?? result.collection)
  return { item, valuesOf }
}

describe('graph preparation', () => {
  it('a node downstream of two iterates runs once per pair of elements', async () => {
    const { item, valuesOf } = await run(
      {
        xs: { type: 'integer_collection', collection: [1, 2] },
        ys: { type: 'integer_collection', collection: [10, 20] },
        x: { type: 'iterate' },
        y: { type: 'iterate' },
        sum: { type: 'add' },
      },
      [
        edge('xs', 'collection', 'x', 'collection'),
        edge('ys', 'collection', 'y', 'collection'),
        edge('x', 'item', 'sum', 'a'),
        edge('y', 'item', 'sum', 'b'),
      ],
    )
    expect(item.status).toBe('completed')
    expect(valuesOf('sum')).toEqual([11, 21, 12, 22])
  })

  it('collect gathers the copies of an iteration and a second iterate fans out again', async () => {
    const { valuesOf, item } = await run(
      {
        xs: { type: 'integer_collection', collection: [1, 2, 3] },
        x: { type: 'iterate' },
        plus: { type: 'add', b: 10 },
        gather: { type: 'collect' },
        again: { type: 'iterate' },
        twice: { type: 'add', b: 100 },
      },
      [
        edge('xs', 'collection', 'x', 'collection'),
        edge('x', 'item', 'plus', 'a'),
        edge('plus', 'value', 'gather', 'item'),
        edge('gather', 'collection', 'again', 'collection'),
        edge('again', 'item', 'twice', 'a'),
      ],
    )
    expect(valuesOf('gather')).toEqual([[11, 12, 13]])
    expect(valuesOf('twice')).toEqual([111, 112, 113])
    const twiceCopies = Object.keys(item.session.results).filter(
      (id) => item.session.prepared_source_mapping[id] === 'twice',
    )
    expect(twiceCopies.map((id) => item.session.prepared_iteration_paths[id])).toEqual([[0], [1], [2]])
  })

  it('an iterate over an empty collection runs nothing downstream and the item completes', async () => {
    const { item, valuesOf } = await run(
      { xs: { type: 'integer_collection', collection: [] }, x: { type: 'iterate' }, sum: { type: 'add' } },
      [edge('xs', 'collection', 'x', 'collection'), edge('x', 'item', 'sum', 'a')],
    )
    expect(item.status).toBe('completed')
    expect(valuesOf('sum')).toEqual([])
    expect(Object.keys(item.session.execution_graph.nodes)).toHaveLength(1)
  })
})

describe('seeded random', () => {
  it('the same seed gives the same numbers, in [0, 1)', () => {
    const a = createRandom(123)
    const b = createRandom(123)
    const c = createRandom(124)
    const first = Array.from({ length: 100 }, () => a())
    expect(Array.from({ length: 100 }, () => b())).toEqual(first)
    expect(Array.from({ length: 100 }, () => c())).not.toEqual(first)
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(new Set(first).size).toBe(100)
  })
})
