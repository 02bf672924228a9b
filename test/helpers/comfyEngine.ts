import { configureStore } from '@reduxjs/toolkit'
import {
  invocationOutputReceived,
  selectNodeExecutionState,
  selectQueueItemExecution,
  type InvocationOutputReceivedPayload,
} from '../../src'
import {
  createComfyWorkflowExecution,
  decodeBinaryFrame,
  parseComfyFrame,
  selectItemIdOfPrompt,
  type ComfySocket,
  type ComfySocketEvents,
  type ListedPrompt,
  type PromptLookup,
} from '../../src/comfyui'

/*
 * A ComfyUI engine in a real store, fed by an in-memory socket (text and binary frames through the
 * adapter's own parsing) and answered by a scripted REST: each prompt's answers in order, the last one
 * repeating.
 */

type Listeners = { [K in keyof ComfySocketEvents]: Set<ComfySocketEvents[K]> }

export interface FakeComfySocket extends ComfySocket {
  open(): void
  drop(): void
  text(raw: string): void
  bytes(buffer: Uint8Array): void
}

export function fakeComfySocket(clientId = 'client-1'): FakeComfySocket {
  const listeners: Listeners = {
    frame: new Set(),
    binary: new Set(),
    rejected: new Set(),
    open: new Set(),
    close: new Set(),
  }
  let connected = false
  let opens = 0
  const emit = <K extends keyof ComfySocketEvents>(event: K, ...args: Parameters<ComfySocketEvents[K]>) => {
    for (const listener of listeners[event]) (listener as (...a: typeof args) => void)(...args)
  }
  return {
    clientId,
    get connected() {
      return connected
    },
    serverFeatures: null,
    connect() {},
    close() {
      connected = false
    },
    on(event, listener) {
      listeners[event].add(listener as never)
      return () => void listeners[event].delete(listener as never)
    },
    open() {
      connected = true
      opens += 1
      emit('open', { reconnect: opens > 1, clientId })
    },
    drop() {
      connected = false
      emit('close', { code: 1006, reason: 'dropped' })
    },
    text(raw) {
      if (!connected) return
      const parsed = parseComfyFrame(raw)
      if (parsed.kind === 'frame') emit('frame', parsed.frame)
      else if (parsed.kind === 'rejected')
        emit('rejected', { type: parsed.type, issues: parsed.issues, preview: raw.slice(0, 200) })
    },
    bytes(buffer) {
      if (!connected) return
      const decoded = decodeBinaryFrame(buffer)
      if (decoded.ok) emit('binary', decoded.frame)
      else
        emit('rejected', { type: null, issues: [{ path: '(binary)', message: decoded.reason }], preview: '' })
    },
  }
}

export function comfyEngine(options: { queue?: ListedPrompt[]; fetch?: typeof fetch } = {}) {
  const answers = new Map<string, PromptLookup[]>()
  const asked: string[] = []
  let queue = options.queue ?? []
  const comfy = createComfyWorkflowExecution({
    backoffMs: 1,
    terminalReconcileDelayMs: 1,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    lookupPrompt: async ({ promptId }) => {
      asked.push(promptId)
      const list = answers.get(promptId) ?? []
      const answer = list.length > 1 ? (list.shift() as PromptLookup) : list[0]
      if (!answer) throw new Error(`no answer scripted for ${promptId}`)
      return answer
    },
    listQueue: async () => queue,
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
  const socket = fakeComfySocket()
  comfy.bindSocket(socket, store.dispatch)
  const itemIdOf = (promptId: string) => selectItemIdOfPrompt(store.getState(), promptId)
  return {
    comfy,
    store,
    socket,
    outputs,
    asked,
    /** What REST answers for a prompt from now on, in order (the last one repeats). */
    answer(promptId: string, ...lookups: PromptLookup[]) {
      answers.set(promptId, lookups)
    },
    setQueue(prompts: ListedPrompt[]) {
      queue = prompts
    },
    itemIdOf,
    item: (promptId: string) => selectQueueItemExecution(store.getState(), itemIdOf(promptId) ?? -1),
    node: (promptId: string, nodeId: string) =>
      selectNodeExecutionState(store.getState(), itemIdOf(promptId) ?? -1, nodeId),
    /** Until no request is in flight for a few turns of the event loop (timers are real, backoff 1 ms). */
    async settle() {
      for (let idle = 0; idle < 5;) {
        await new Promise((resolve) => setTimeout(resolve, 2))
        idle = comfy.inFlightCount() === 0 ? idle + 1 : 0
      }
    },
  }
}
