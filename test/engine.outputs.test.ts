import { describe, expect, it } from 'vitest'
import { useEngines } from './helpers/harness'
import { complete, imageResult, persistedItem, started, statusChanged } from './helpers/wire'

const engine = useEngines()

describe('what produced an output', () => {
  it('a socket completion says its node type, whether it is intermediate, the user and via: socket', () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 1, userId: 'alice' }, 'in_progress', 1))
    e.push('invocation_started', started({ itemId: 1, userId: 'alice' }, 'p', 'save'))
    e.push('invocation_complete', complete({ itemId: 1, userId: 'alice' }, 'p', 'save', imageResult('a.png')))
    expect(e.outputs()).toEqual([
      expect.objectContaining({
        itemId: 1,
        preparedId: 'p',
        invocationType: 'add',
        isIntermediate: false,
        userId: 'alice',
        via: 'socket',
      }),
    ])
  })

  it('an output found only by reconciliation takes its type from the persisted execution graph, so a host can skip passthrough nodes (load_image)', async () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 2, userId: 'alice' }, 'in_progress', 1))
    e.queueItems.setItem(
      persistedItem(
        { itemId: 2, userId: 'alice' },
        'completed',
        2,
        [
          { preparedId: 'load', sourceId: 'loader', result: imageResult('input.png') },
          { preparedId: 'save', sourceId: 'saver', result: imageResult('output.png') },
        ],
        {
          graph: {
            load: { type: 'load_image', is_intermediate: true },
            save: { type: 'save_image', is_intermediate: false },
          },
        },
      ),
    )
    e.push('queue_item_status_changed', statusChanged({ itemId: 2, userId: 'alice' }, 'completed', 2))
    await e.settle()
    const outputs = e.outputs()
    expect(
      outputs.map(({ preparedId, invocationType, isIntermediate, userId, via }) => ({
        preparedId,
        invocationType,
        isIntermediate,
        userId,
        via,
      })),
    ).toEqual([
      {
        preparedId: 'load',
        invocationType: 'load_image',
        isIntermediate: true,
        userId: 'alice',
        via: 'reconciliation',
      },
      {
        preparedId: 'save',
        invocationType: 'save_image',
        isIntermediate: false,
        userId: 'alice',
        via: 'reconciliation',
      },
    ])
    // What InvokeAI's gallery does with it: passthrough types are not added again.
    const gallery = outputs.filter(
      (output) => !['load_image', 'image', 'video'].includes(output.invocationType ?? ''),
    )
    expect(gallery.map((output) => output.preparedId)).toEqual(['save'])
  })

  it('a persisted graph that is not an object, or a node without a type, leaves the type unknown', async () => {
    const e = engine()
    e.push('queue_item_status_changed', statusChanged({ itemId: 3 }, 'in_progress', 1))
    const item = persistedItem({ itemId: 3 }, 'completed', 2, [
      { preparedId: 'p', sourceId: 'n', result: imageResult('x.png') },
    ])
    e.queueItems.setItem({
      ...item,
      session: { ...item.session, execution_graph: { nodes: { p: 'weird' } } },
    } as never)
    e.push('queue_item_status_changed', statusChanged({ itemId: 3 }, 'completed', 2))
    await e.settle()
    expect(e.outputs()).toEqual([
      expect.objectContaining({ preparedId: 'p', invocationType: null, isIntermediate: null }),
    ])
  })
})
