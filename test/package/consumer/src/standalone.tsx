// The ready store, the hooks and the testing entry, compiled against the packed tarball.
import { Provider } from 'react-redux'
import { createExecutionStore, type ExecutionStore } from 'workflow-execution-state'
import { useActiveItemId, useNodeExecutionState, useSocketConnected } from 'workflow-execution-state/react'
import { createMockSocket, createQueueItemServer, type MockSocket } from 'workflow-execution-state/testing'

const store = createExecutionStore({
  baseUrl: 'http://invoke.test',
  reducers: { theme: (state: string = 'dark') => state },
  devTools: { name: 'my app' },
})
const typed: ExecutionStore = store
const theme: string = store.getState().theme
const socket: MockSocket = createMockSocket()
const unbind: () => void = store.bindSocket(socket)
const queueItems = createQueueItemServer({ baseUrl: 'http://invoke.test' })
queueItems.script(42, { kind: 'status', status: 500 })
void [typed, theme, unbind, queueItems.handlers]

function NodeBadge({ nodeId }: { nodeId: string }) {
  const node = useNodeExecutionState(nodeId)
  const activeItemId: number | undefined = useActiveItemId('workflows')
  const connected: boolean = useSocketConnected()
  return (
    <span title={String(activeItemId)}>
      {connected ? (node?.status ?? 'PENDING') : 'offline'} {node?.progress ?? ''}
    </span>
  )
}

export function App() {
  return (
    <Provider store={store}>
      <NodeBadge nodeId="denoise" />
    </Provider>
  )
}
