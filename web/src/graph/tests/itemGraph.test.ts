import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { extraNodeIdsOf, flowElementsOf, GRAPH_SPACING } from '../flowElements'
import { itemGraphOf } from '../itemGraph'

const fixture = JSON.parse(
  readFileSync(new URL('../../../../test/fixtures/session_queue_item.json', import.meta.url), 'utf8'),
) as { session: { graph: { nodes: Record<string, unknown>; edges: unknown[] } } }

const withGraph = (graph: unknown) => ({ session: { graph } })

describe('itemGraphOf', () => {
  it('reads the nodes and edges of a persisted queue item', () => {
    const graph = itemGraphOf(fixture)
    expect(graph?.nodes.map((node) => node.type)).toEqual(['integer_collection', 'iterate', 'add'])
    expect(graph?.edges).toHaveLength(fixture.session.graph.edges.length)
    expect(graph?.edges[0]).toMatchObject({ sourceField: 'collection', targetField: 'collection' })
    expect(new Set(graph?.edges.map((edge) => edge.id)).size).toBe(graph?.edges.length)
  })

  it('gives no graph for any wrong shape, and never throws', () => {
    for (const bad of [
      null,
      42,
      'graph',
      {},
      { session: null },
      { session: { graph: [] } },
      withGraph({ nodes: [] }),
      withGraph({ nodes: { a: 'not a node' } }),
      withGraph({ nodes: {}, edges: {} }),
      withGraph({ nodes: { a: {} }, edges: [{ source: { node_id: 'a' } }] }),
      withGraph({ nodes: { a: {} }, edges: [null] }),
    ]) {
      expect(itemGraphOf(bad)).toBeNull()
    }
  })

  it('keeps edges between listed nodes once each, and names a node without a type', () => {
    const a = { source: { node_id: 'a', field: 'x' }, destination: { node_id: 'b', field: 'y' } }
    const ghost = { source: { node_id: 'a', field: 'x' }, destination: { node_id: 'ghost', field: 'y' } }
    const graph = itemGraphOf(withGraph({ nodes: { a: { type: 'add' }, b: {} }, edges: [a, a, ghost] }))
    expect(graph).toEqual({
      nodes: [
        { id: 'a', type: 'add' },
        { id: 'b', type: 'node' },
      ],
      edges: [{ id: 'a:x->b:y', source: 'a', sourceField: 'x', target: 'b', targetField: 'y' }],
    })
    expect(itemGraphOf(withGraph({ nodes: {} }))).toEqual({ nodes: [], edges: [] })
  })
})

describe('flowElementsOf', () => {
  it('draws the graph left to right with ids only in node data, and unlisted seen nodes apart', () => {
    const graph = itemGraphOf(fixture)
    const extra = extraNodeIdsOf(graph, [...(graph?.nodes.map((node) => node.id) ?? []), 'seen-only'])
    expect(extra).toEqual(['seen-only'])
    const { nodes, edges } = flowElementsOf(7, graph, extra)
    const { columnWidth } = GRAPH_SPACING
    expect(nodes.map((node) => node.position.x)).toEqual([0, columnWidth, 2 * columnWidth, 0])
    expect(nodes[3]?.data).toEqual({ itemId: 7, nodeId: 'seen-only', nodeType: 'node' })
    expect(edges.map((edge) => [edge.source, edge.target])).toEqual(
      graph?.edges.map((edge) => [edge.source, edge.target]),
    )
    expect(extraNodeIdsOf(null, ['a', 'b'])).toEqual(['a', 'b'])
  })
})
