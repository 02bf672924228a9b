import { describe, expectTypeOf, it } from 'vitest'
import type { DecisionEntry, NodeCopyCounts, NodeExecutionState, QueueItemExecution } from '../..'
import {
  useActiveItemId,
  useItemNodeCopyCounts,
  useItemNodeExecutionState,
  useNodeExecutionState,
  useNodeIds,
  useQueueItemExecution,
  useQueueItems,
  useRecentDecisions,
  useSocketConnected,
} from '..'

describe('types of the hooks', () => {
  it('return the stored objects, or undefined before anything is known', () => {
    expectTypeOf(useNodeExecutionState).returns.toEqualTypeOf<NodeExecutionState | undefined>()
    expectTypeOf(useItemNodeExecutionState).returns.toEqualTypeOf<NodeExecutionState | undefined>()
    expectTypeOf(useQueueItemExecution).returns.toEqualTypeOf<QueueItemExecution | undefined>()
    expectTypeOf(useItemNodeCopyCounts).returns.toEqualTypeOf<NodeCopyCounts | undefined>()
    expectTypeOf(useActiveItemId).returns.toEqualTypeOf<number | undefined>()
    expectTypeOf(useQueueItems).returns.toEqualTypeOf<QueueItemExecution[]>()
    expectTypeOf(useNodeIds).returns.toEqualTypeOf<readonly string[]>()
    expectTypeOf(useRecentDecisions).returns.toEqualTypeOf<readonly DecisionEntry[]>()
    expectTypeOf(useSocketConnected).returns.toEqualTypeOf<boolean>()
  })

  it('take a node id and an optional origin, or an item id that may be undefined', () => {
    expectTypeOf(useNodeExecutionState).parameters.toEqualTypeOf<[nodeId: string, origin?: string]>()
    expectTypeOf(useQueueItemExecution).parameter(0).toEqualTypeOf<number | undefined>()
  })
})
