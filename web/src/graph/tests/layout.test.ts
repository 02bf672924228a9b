import { describe, expect, it } from 'vitest'
import { layerNodes, positionsOf, type LayoutEdge } from '../layout'

const edge = (source: string, target: string): LayoutEdge => ({ source, target })

/** `id:layer.row` per node, in the order given: one readable line per layout. */
function picture(nodeIds: string[], edges: LayoutEdge[]): string {
  const placements = layerNodes(nodeIds, edges)
  return [...placements].map(([id, { layer, row }]) => `${id}:${layer}.${row}`).join(' ')
}

describe('layerNodes', () => {
  it('puts a chain left to right, one layer per step', () => {
    expect(picture(['a', 'b', 'c'], [edge('a', 'b'), edge('b', 'c')])).toBe('a:0.0 b:1.0 c:2.0')
  })

  it('places a node by its longest path from a source, not its shortest', () => {
    // a → b → c → d and a → d: d comes after c.
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('c', 'd'), edge('a', 'd')]
    expect(picture(['d', 'c', 'b', 'a'], edges)).toBe('d:3.0 c:2.0 b:1.0 a:0.0')
  })

  it('keeps the given order within a layer, whatever the order of the edges', () => {
    const nodes = ['src', 'x', 'y', 'z']
    const forward = [edge('src', 'x'), edge('src', 'y'), edge('src', 'z')]
    expect(picture(nodes, forward)).toBe('src:0.0 x:1.0 y:1.1 z:1.2')
    expect(picture(nodes, [...forward].reverse())).toBe(picture(nodes, forward))
  })

  it('stacks unconnected nodes in the first layer', () => {
    expect(picture(['a', 'b', 'c'], [])).toBe('a:0.0 b:0.1 c:0.2')
  })

  it('tolerates cycles and self-loops: every node is placed, the cycle broken at its first node', () => {
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('c', 'c'), edge('c', 'd')]
    expect(picture(['a', 'b', 'c', 'd'], edges)).toBe('a:0.0 b:1.0 c:2.0 d:3.0')
    // A cycle fed by a source starts after it.
    expect(picture(['s', 'p', 'q'], [edge('s', 'p'), edge('p', 'q'), edge('q', 'p')])).toBe(
      's:0.0 p:1.0 q:2.0',
    )
  })

  it('ignores edges to unknown nodes, duplicate edges and duplicate ids', () => {
    const edges = [edge('a', 'ghost'), edge('ghost', 'b'), edge('a', 'b'), edge('a', 'b')]
    expect(picture(['a', 'b', 'a'], edges)).toBe('a:0.0 b:1.0')
  })

  it('lays out a wide, deep graph in linear time without recursion', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `n${i}`)
    const chain = ids.slice(1).map((id, i) => edge(ids[i] as string, id))
    const placements = layerNodes(ids, chain)
    expect(placements.get('n9999')).toEqual({ layer: 9_999, row: 0 })
  })
})

describe('positionsOf', () => {
  it('turns layers into columns and rows into vertical steps', () => {
    const placements = layerNodes(['a', 'b', 'c'], [edge('a', 'b'), edge('a', 'c')])
    expect(Object.fromEntries(positionsOf(placements, { columnWidth: 300, rowHeight: 200 }))).toEqual({
      a: { x: 0, y: 0 },
      b: { x: 300, y: 0 },
      c: { x: 300, y: 200 },
    })
  })
})
