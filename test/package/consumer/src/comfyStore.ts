// A ComfyUI host app as the README tells it to be built, compiled against the packed tarball.
import { configureStore } from '@reduxjs/toolkit'
import {
  invocationOutputReceived,
  selectNodeExecutionState,
  type NodeExecutionState,
} from 'workflow-execution-state'
import {
  createComfyWorkflowExecution,
  imagesOf,
  selectItemIdOfPrompt,
  viewUrl,
  type ComfySocket,
  type ComfyWorkflowExecution,
} from 'workflow-execution-state/comfyui'

export const comfy: ComfyWorkflowExecution = createComfyWorkflowExecution({
  baseUrl: 'http://127.0.0.1:8188',
})

const comfyReducer = { [comfy.reducerPath]: comfy.reducer }
export const comfyStore = configureStore({
  reducer: comfyReducer,
  middleware: (getDefaultMiddleware) => getDefaultMiddleware().concat(comfy.middleware),
})

export const socket: ComfySocket = comfy.connect(comfyStore.dispatch)

comfy.startListening({
  actionCreator: invocationOutputReceived,
  effect: ({ payload }) => {
    for (const image of imagesOf(payload.output)) console.log(viewUrl('http://127.0.0.1:8188', image))
  },
})

export async function run(prompt: Record<string, unknown>): Promise<NodeExecutionState | undefined> {
  const { promptId } = await comfyStore.dispatch(comfy.submitPrompt({ prompt })).unwrap()
  const state = comfyStore.getState()
  const itemId = selectItemIdOfPrompt(state, promptId)
  return itemId === undefined ? undefined : selectNodeExecutionState(state, itemId, '9')
}
