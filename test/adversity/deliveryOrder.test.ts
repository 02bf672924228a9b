import { describe, expect, it } from 'vitest'
import type { SessionQueueItem } from '../../src'
import { useEngines } from '../helpers/harness'
import { statusChanged } from '../helpers/wire'
import { nodeOf } from '../../src/features/workflowExecution/model/read'

const engine = useEngines()

describe('outputs delivered by reconciliation come in execution order', () => {
  it('even when a prepared id is also a source node id in executed_history', async () => {
    const e = engine()
    const item = {
      item_id: 1,
      status: 'completed',
      status_sequence: 2,
      queue_id: 'default',
      batch_id: 'b',
      session_id: 's',
      origin: 'workflows',
      destination: 'gallery',
      session: {
        id: 's',
        // Node `gen` ran twice (copies x, y); node `x` ran once (copy z).
        results: { x: { type: 'out_x' }, y: { type: 'out_y' }, z: { type: 'out_z' } },
        prepared_source_mapping: { x: 'gen', y: 'gen', z: 'x' },
        source_prepared_mapping: { gen: ['x', 'y'], x: ['z'] },
        executed: ['x', 'y', 'gen', 'z', 'x'],
        executed_history: ['x', 'y', 'gen', 'z', 'x'],
      },
    } as unknown as SessionQueueItem
    e.queueItems.setItem(item)
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'in_progress', 1))
    e.push('queue_item_status_changed', statusChanged({ itemId: 1 }, 'completed', 2))
    await e.settle()

    // Node outputs use the first occurrence: correct.
    expect(nodeOf(e.item(1), 'gen')?.outputs).toEqual([{ type: 'out_x' }, { type: 'out_y' }])
    // Delivery should follow the same execution order: x (index 0), y (1), z (3).
    expect(e.outputs().map((output) => output.preparedId)).toEqual(['x', 'y', 'z'])
  })
})
