import { configureStore } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import {
  invocationOutputReceived,
  selectNodeExecutionState,
  selectQueueItemExecution,
  type InvocationOutputReceivedPayload,
} from '../src'
import { createComfyWorkflowExecution, imagesOf, selectItemIdOfPrompt } from '../src/comfyui'
import { defaultWorkflow, startComfySimulator, type ComfySimulator } from '../sim/comfyui'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.()
})

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function engineAgainst(sim: ComfySimulator) {
  const comfy = createComfyWorkflowExecution({
    baseUrl: sim.url,
    backoffMs: 20,
    terminalReconcileDelayMs: 50,
  })
  const store = configureStore({
    reducer: { [comfy.reducerPath]: comfy.reducer },
    middleware: (getDefault) => getDefault().concat(comfy.middleware),
  })
  const outputs: InvocationOutputReceivedPayload[] = []
  comfy.startListening({
    actionCreator: invocationOutputReceived,
    effect: (action) => void outputs.push(action.payload),
  })
  const socket = comfy.connect(store.dispatch, { WebSocket, reconnectDelayMs: 20 })
  cleanups.push(() => {
    socket.close()
    comfy.close()
  })
  await until(() => store.getState().workflowExecution.connected)
  return { comfy, store, socket, outputs }
}

const itemOfPrompt = (
  state: ReturnType<Awaited<ReturnType<typeof engineAgainst>>['store']['getState']>,
  promptId: string,
) => selectQueueItemExecution(state, selectItemIdOfPrompt(state, promptId) ?? -1)

/** Settled on the server's word: a re-ask while the prompt still ran answers "running" and settles nothing. */
const untilSettled = (store: Awaited<ReturnType<typeof engineAgainst>>['store'], promptId: string) =>
  until(() => {
    const item = itemOfPrompt(store.getState(), promptId)
    return item?.settled === true && item.reconciliation.phase === 'done'
  })

describe('a real ComfyUI-protocol server on loopback', () => {
  it('a default-workflow run ends with every node completed, its image delivered once and reconciled from history', async () => {
    const sim = await startComfySimulator({ stepDelayMs: 3 })
    cleanups.push(() => sim.close())
    const { comfy, store, outputs } = await engineAgainst(sim)

    const submitted = await store.dispatch(
      comfy.submitPrompt({ prompt: defaultWorkflow({ steps: 4, seed: 7 }) }),
    )
    const { promptId } = submitted.payload as { promptId: string }
    await sim.whenSettled(promptId)
    await untilSettled(store, promptId)

    const state = store.getState()
    const item = itemOfPrompt(state, promptId)
    expect(item).toMatchObject({ status: 'completed', settled: true })
    for (const node of ['3', '4', '5', '6', '7', '8', '9'])
      expect(selectNodeExecutionState(state, item!.itemId, node)?.status, `node ${node}`).toBe('COMPLETED')
    expect(outputs).toHaveLength(1)
    expect(outputs[0]).toMatchObject({ itemId: item!.itemId, sourceNodeId: '9', via: 'socket' })
    const [image] = imagesOf(outputs[0]!.output)
    expect(image).toMatchObject({ type: 'output' })
    const view = await fetch(`${sim.url}/view?filename=${image!.filename}&subfolder=&type=output`)
    expect(view.headers.get('content-type')).toContain('image/png')
  })

  it('history written after the terminal frame, and a run cut by a dropped socket: both converge to what the server persisted', async () => {
    const sim = await startComfySimulator({
      stepDelayMs: 3,
      delivery: { historyLag: 150, dropAfterStart: 6 },
    })
    cleanups.push(() => sim.close())
    const { comfy, store, outputs } = await engineAgainst(sim)

    const submitted = await store.dispatch(
      comfy.submitPrompt({ prompt: defaultWorkflow({ steps: 6, seed: 3 }) }),
    )
    const { promptId } = submitted.payload as { promptId: string }
    const persisted = await sim.whenSettled(promptId)
    await untilSettled(store, promptId)

    const item = itemOfPrompt(store.getState(), promptId)!
    expect(persisted.status.status_str).toBe('success')
    expect(item.status).toBe('completed')
    expect(selectNodeExecutionState(store.getState(), item.itemId, '3')?.status).toBe('COMPLETED')
    // The image came only through reconciliation (the socket was away when it was sent), exactly once.
    expect(outputs.map((payload) => payload.sourceNodeId)).toEqual(['9'])
  })
})
