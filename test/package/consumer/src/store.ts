// A host app as the README tells it to be built, compiled against the packed tarball.
import { combineSlices, configureStore, createSlice, type PayloadAction } from '@reduxjs/toolkit'
import { createApi, fetchBaseQuery } from '@reduxjs/toolkit/query'
import { io } from 'socket.io-client'
import {
  actionSanitizer,
  createWorkflowExecution,
  fetchQueueItemFromEndpoint,
  invocationOutputReceived,
  selectActiveNodeExecutionState,
  selectQueueItemExecution,
  stateSanitizer,
  type InvocationOutputReceivedPayload,
  type NodeExecutionState,
  type QueueItemExecution,
  type WorkflowExecution,
} from 'workflow-execution-state'

export const queueApi = createApi({
  reducerPath: 'queueApi',
  baseQuery: fetchBaseQuery({ baseUrl: '/api/v1/queue/default/' }),
  endpoints: (build) => ({
    getQueueItem: build.query<unknown, number>({ query: (itemId) => `i/${itemId}` }),
  }),
})

export const execution: WorkflowExecution = createWorkflowExecution({
  baseUrl: 'http://127.0.0.1:9090',
  queueId: 'default',
  maxItems: 50,
  reconcileOrigins: ['workflows', 'canvas'],
  currentUserId: 'alice',
  fetchQueueItem: fetchQueueItemFromEndpoint(queueApi.endpoints.getQueueItem),
})

const gallerySlice = createSlice({
  name: 'gallery',
  initialState: { imageNames: [] as string[] },
  reducers: {
    imageAdded: (state, action: PayloadAction<string>) => {
      state.imageNames.push(action.payload)
    },
  },
})

const rootReducer = combineSlices(gallerySlice, queueApi, execution)

export const store = configureStore({
  reducer: rootReducer,
  middleware: (getDefault) => getDefault().concat(queueApi.middleware, execution.middleware),
  devTools: { actionSanitizer, stateSanitizer },
})

export type RootState = ReturnType<typeof store.getState>
export type AppDispatch = typeof store.dispatch

const unbind: () => void = execution.bindSocket(
  io('http://127.0.0.1:9090', { path: '/ws/socket.io' }),
  store.dispatch,
)

const startAppListening = execution.startListening.withTypes<RootState, AppDispatch>()
startAppListening({
  actionCreator: invocationOutputReceived,
  effect: ({ payload }: { payload: InvocationOutputReceivedPayload }, api) => {
    const { output } = payload
    if (output.type === 'image_output' && payload.destination === 'gallery') {
      const name: unknown = output['image']
      if (
        typeof name === 'object' &&
        name !== null &&
        'image_name' in name &&
        typeof name.image_name === 'string'
      )
        api.dispatch(gallerySlice.actions.imageAdded(name.image_name))
    }
    const images: string[] = api.getState().gallery.imageNames
    void images
  },
})

const state: RootState = store.getState()
const item: QueueItemExecution | undefined = selectQueueItemExecution(state, 42)
const node: NodeExecutionState | undefined = selectActiveNodeExecutionState(state, 'workflows', 'denoise')
const request = store.dispatch(execution.reconcileQueueItem({ itemId: 42 }))
request.abort()
void request.then((action) => execution.reconcileQueueItem.fulfilled.match(action) && action.payload.kind)
void [item, node, unbind]

// Injected later, as a code-split app would.
const lazyRoot = combineSlices(gallerySlice).inject(execution)
const injected = execution.injectInto(combineSlices(gallerySlice))
export const lazyStates = [
  lazyRoot(undefined, { type: 'init' }).workflowExecution,
  injected(undefined, { type: 'init' }).workflowExecution,
]

// The root state is inferred, not `any`: a strict app would lose every check downstream otherwise.
type IsAny<T> = 0 extends 1 & T ? true : false
export const rootStateIsTyped: IsAny<RootState> = false
