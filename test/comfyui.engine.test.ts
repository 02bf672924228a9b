import { describe, expect, it } from 'vitest'
import { eventRejected, selectRecentDecisions } from '../src'
import { configureStore } from '@reduxjs/toolkit'
import {
  createComfyWorkflowExecution,
  frameReceived,
  promptQueued,
  selectItemIdOfPrompt,
  selectPromptIdOfItem,
} from '../src/comfyui'
import { historyEntrySchema } from '../src/comfyui/rest/schemas'
import { persistedRunOfHistoryEntry } from '../src/comfyui/rest/persistedRun'
import { promptMeta } from '../src/comfyui/slice/events'
import { comfyEngine, fakeComfySocket } from './helpers/comfyEngine'
import {
  binaryFrame,
  executedFrame,
  executingFrame,
  executionErrorFrame,
  frame,
  historyEntry,
  PROMPT_ID,
  progressStateFrame,
  queueTuple,
  activeJob,
  type HistoryEntryOptions,
} from './helpers/comfyWire'

/*
 * The ComfyUI engine, one scenario per behaviour its protocol needs: an in-memory socket, REST answered
 * from scripted lookups, a real store.
 */

const persisted = (options: HistoryEntryOptions = {}, promptId = PROMPT_ID) => ({
  kind: 'persisted' as const,
  run: persistedRunOfHistoryEntry(
    promptId,
    historyEntrySchema.parse(historyEntry({ promptId, ...options })),
    promptMeta(promptId),
  ),
})

const start = (promptId = PROMPT_ID) =>
  frame('execution_start', { prompt_id: promptId, timestamp: 1756000000123 })
const success = (promptId = PROMPT_ID) =>
  frame('execution_success', { prompt_id: promptId, timestamp: 1756000009123 })
const RAN = ['3', '4', '5', '6', '7', '8', '9']

async function until(check: () => boolean) {
  for (let waited = 0; !check(); waited += 2) {
    if (waited > 5_000) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

function queued() {
  const e = comfyEngine()
  e.socket.open()
  e.store.dispatch(promptQueued({ promptId: PROMPT_ID }))
  return e
}

describe('a ComfyUI run', () => {
  it('in order: every node completes, the image arrives once, and the item settles on the history', async () => {
    const e = queued()
    e.answer(PROMPT_ID, persisted())
    expect(e.item(PROMPT_ID)?.status).toBe('pending')
    e.socket.text(start())
    for (const node of ['4', '5', '6', '7', '3', '8', '9']) e.socket.text(executingFrame(node))
    e.socket.text(progressStateFrame({ '4': 'finished', '3': 'running' }))
    e.socket.text(executedFrame('9', 'ComfyUI_00001_.png'))
    e.socket.text(success())
    e.socket.text(executingFrame(null))
    await e.settle()

    expect(e.item(PROMPT_ID)).toMatchObject({
      status: 'completed',
      settled: true,
      startedAt: '2025-08-24T01:46:40.123Z',
    })
    for (const node of RAN) expect(e.node(PROMPT_ID, node)?.status, node).toBe('COMPLETED')
    expect(e.outputs.map(({ sourceNodeId, via }) => [sourceNodeId, via])).toEqual([['9', 'socket']])
  })

  it('history written after the terminal frame: the engine asks again until the server has it', async () => {
    const e = queued()
    e.answer(
      PROMPT_ID,
      { kind: 'active', status: 'in_progress' },
      { kind: 'active', status: 'in_progress' },
      persisted(),
    )
    e.socket.text(start())
    e.socket.text(executingFrame('3'))
    // The socket dies before `executed`: the image is only in the history.
    e.socket.text(success())
    await e.settle()

    expect(e.item(PROMPT_ID)).toMatchObject({ status: 'completed', settled: true })
    expect(e.asked.length).toBeGreaterThanOrEqual(3)
    expect(e.outputs.map(({ sourceNodeId, via }) => [sourceNodeId, via])).toEqual([['9', 'reconciliation']])
  })

  it('cached nodes (K1) complete without running and say so; a cached output node gets its image once (I5)', async () => {
    const e = queued()
    e.socket.text(start())
    e.socket.text(frame('execution_cached', { nodes: ['4', '9'], prompt_id: PROMPT_ID, timestamp: 1 }))
    expect(e.node(PROMPT_ID, '4')).toMatchObject({ status: 'COMPLETED', cached: true })
    e.socket.text(executedFrame('9', 'ComfyUI_00001_.png'))
    // Sent again at the end of a run for cached output nodes: a duplicate.
    e.socket.text(executedFrame('9', 'ComfyUI_00001_.png'))
    const item = e.item(PROMPT_ID)
    expect(selectRecentDecisions(e.store.getState(), item!.itemId).map(({ rule }) => rule)).toEqual(
      expect.arrayContaining(['K1', 'I5', 'I3']),
    )
    expect(e.outputs).toHaveLength(1)
  })

  it('ExecutionBlocked (B1) is not a failure: the node shows its message and the prompt ends in success', async () => {
    const e = queued()
    e.answer(PROMPT_ID, persisted())
    e.socket.text(start())
    e.socket.text(executingFrame('8'))
    e.socket.text(executionErrorFrame('8', 'ExecutionBlocked'))
    expect(e.item(PROMPT_ID)?.status).toBe('in_progress')
    expect(e.node(PROMPT_ID, '8')?.error?.error_type).toBe('ExecutionBlocked')
    e.socket.text(success())
    e.socket.text(executingFrame(null))
    await e.settle()
    expect(e.item(PROMPT_ID)).toMatchObject({ status: 'completed', settled: true })
  })

  it('a failure fails its node and the item; the history puts the error and the nodes that never ran right', async () => {
    const e = queued()
    e.answer(PROMPT_ID, persisted({ end: 'error', node: '3', executed: ['4', '5', '6', '7'], outputs: {} }))
    e.socket.text(start())
    e.socket.text(executingFrame('3'))
    e.socket.text(executionErrorFrame('3'))
    e.socket.text(executingFrame(null))
    await e.settle()
    expect(e.item(PROMPT_ID)).toMatchObject({ status: 'failed', settled: true })
    expect(e.node(PROMPT_ID, '3')).toMatchObject({
      status: 'FAILED',
      error: { error_type: 'torch.OutOfMemoryError' },
    })
    expect(e.node(PROMPT_ID, '9')?.status).toBe('CANCELED')
    expect(e.outputs).toEqual([])
  })

  it('progress as a whole-prompt snapshot (P1): the same snapshot again rewrites nothing', () => {
    const e = queued()
    e.socket.text(start())
    e.socket.text(progressStateFrame({ '4': 'finished', '3': 'running' }))
    expect(e.node(PROMPT_ID, '3')?.status).toBe('IN_PROGRESS')
    const before = e.item(PROMPT_ID)!
    e.socket.text(progressStateFrame({ '4': 'finished', '3': 'running' }))
    const after = e.item(PROMPT_ID)!
    expect(after.decisions.total).toBe(before.decisions.total + 1)
    expect(after.nodes).toBe(before.nodes)
    expect(after.copies).toBe(before.copies)
  })

  it('a preview (binary type 4) shows on its node', () => {
    const e = queued()
    e.socket.text(start())
    e.socket.text(executingFrame('3'))
    const metadata = JSON.stringify({
      node_id: '3',
      prompt_id: PROMPT_ID,
      display_node_id: '3',
      image_type: 'image/png',
    })
    e.socket.bytes(
      binaryFrame(
        4,
        new TextEncoder().encode(metadata).byteLength,
        metadata,
        new Uint8Array([137, 80, 78, 71]),
      ),
    )
    expect(e.node(PROMPT_ID, '3')?.progressImage?.dataURL).toBe('data:image/png;base64,iVBORw==')
  })
})

describe('a prompt that vanished', () => {
  it('deleted while pending: no frame and no history; gone only once two reads in a row say so', async () => {
    const e = queued()
    e.answer(PROMPT_ID, { kind: 'absent' }, { kind: 'absent' })
    e.socket.drop()
    e.socket.open()
    await e.settle()
    expect(e.item(PROMPT_ID)).toMatchObject({ status: 'canceled', settled: true })
    expect(e.item(PROMPT_ID)?.reconciliation.snapshotStatus).toBe('gone')
    expect(e.asked).toEqual([PROMPT_ID, PROMPT_ID])
  })

  it('one read that finds it nowhere is not enough: the prompt was between the queue and the history', async () => {
    const e = queued()
    e.answer(PROMPT_ID, { kind: 'absent' }, persisted())
    e.socket.drop()
    e.socket.open()
    await e.settle()
    expect(e.item(PROMPT_ID)).toMatchObject({ status: 'completed', settled: true })
  })

  it('refused by the server (400): failed, and settled once the server confirms it holds nothing', async () => {
    const refuse = async () =>
      new Response(JSON.stringify({ error: { type: 'prompt_no_outputs', message: 'no outputs' } }), {
        status: 400,
      })
    const e = comfyEngine({ fetch: refuse as typeof fetch })
    e.socket.open()
    e.answer(PROMPT_ID, { kind: 'absent' })
    const submitted = await e.store.dispatch(e.comfy.submitPrompt({ prompt: {}, promptId: PROMPT_ID }))
    expect(submitted.payload).toMatchObject({ accepted: false, error: { type: 'prompt_no_outputs' } })
    expect(e.item(PROMPT_ID)).toMatchObject({ status: 'failed', error: { error_type: 'prompt_no_outputs' } })
    await e.settle()
    expect(e.item(PROMPT_ID)).toMatchObject({ status: 'failed', settled: true })
    expect(e.item(PROMPT_ID)?.reconciliation.snapshotStatus).toBe('gone')
  })
})

describe('what the socket says of others', () => {
  it("another client's prompt (broadcast progress) creates no item and is counted", () => {
    const e = queued()
    e.socket.text(progressStateFrame({ '3': 'running' }, 'a7c1c7f0-0000-4000-8000-000000000001'))
    e.socket.text(
      frame('progress', { value: 1, max: 20, prompt_id: 'a7c1c7f0-0000-4000-8000-000000000001', node: '3' }),
    )
    expect(e.store.getState().workflowExecution.items.ids).toHaveLength(1)
    expect(e.store.getState().workflowExecution.stats.foreignEventsIgnored).toBe(2)
  })

  it("on connect the queue says what runs now: this client's prompt from before a reload is tracked, another client's is not", async () => {
    const mine = 'b8d2d8e1-0000-4000-8000-000000000002'
    const theirs = 'c9e3e9f2-0000-4000-8000-000000000003'
    const queue = {
      queue_running: [queueTuple(1, mine, { clientId: 'tab-1' })],
      queue_pending: [
        queueTuple(2, theirs, { clientId: 'tab-2' }),
        queueTuple(3, PROMPT_ID, { clientId: null }),
      ],
    }
    const jobs = async (url: string | URL | Request) =>
      String(url).endsWith('/queue')
        ? new Response(JSON.stringify(queue))
        : new Response(JSON.stringify(activeJob('in_progress', mine)))
    const comfy = createComfyWorkflowExecution({
      clientId: 'tab-1',
      fetch: jobs as typeof fetch,
      backoffMs: 1,
    })
    const store = configureStore({
      reducer: { [comfy.reducerPath]: comfy.reducer },
      middleware: (getDefault) => getDefault().concat(comfy.middleware),
    })
    const socket = fakeComfySocket('tab-1')
    comfy.bindSocket(socket, store.dispatch)
    socket.open()
    await until(() => selectItemIdOfPrompt(store.getState(), mine) !== undefined)
    const itemId = selectItemIdOfPrompt(store.getState(), mine) as number
    expect(store.getState().workflowExecution.items.ids).toEqual([itemId])
    expect(selectItemIdOfPrompt(store.getState(), theirs)).toBeUndefined()
    comfy.close()
  })

  it('a malformed frame dispatched by hand is refused, and a rejected socket frame reaches the host', () => {
    const e = queued()
    const before = e.store.getState()
    e.store.dispatch(frameReceived({ type: 'execution_start', data: { prompt_id: 42 } } as never))
    expect(e.store.getState()).toBe(before)
    const rejected: unknown[] = []
    e.comfy.startListening({
      actionCreator: eventRejected,
      effect: (action) => void rejected.push(action.payload),
    })
    e.socket.text('{"type":"executed","data":{"node":"9"}}')
    expect(rejected).toHaveLength(1)
  })
})

describe('bounded', () => {
  it('10,000 prompts through maxItems 10: the prompt-id registry stays within its bound and every tracked prompt resolves', () => {
    const comfy = createComfyWorkflowExecution({ maxItems: 10, maxEvictedIds: 20, listQueue: async () => [] })
    const store = configureStore({
      reducer: { [comfy.reducerPath]: comfy.reducer },
      middleware: (getDefault) =>
        getDefault({ serializableCheck: false, immutableCheck: false }).concat(comfy.middleware),
    })
    let largest = 0
    for (let n = 0; n < 10_000; n += 1) {
      store.dispatch(promptQueued({ promptId: `p-${n}` }))
      largest = Math.max(largest, store.getState().workflowExecution.itemIdByRunKey.size)
    }
    const { workflowExecution } = store.getState()
    expect(largest).toBeLessThanOrEqual(4 * 10 + 20)
    expect(workflowExecution.items.ids.length).toBeLessThanOrEqual(2 * 10)
    for (const itemId of workflowExecution.items.ids) {
      const promptId = selectPromptIdOfItem(store.getState(), itemId) as string
      expect(selectItemIdOfPrompt(store.getState(), promptId)).toBe(itemId)
    }
    comfy.close()
  })
})
