import { useState } from 'react'
import { useActiveItemId } from '../../src/react'
import { ConnectionStatus } from './components/ConnectionStatus'
import { DecisionsPanel } from './components/DecisionsPanel'
import { GalleryPanel } from './components/GalleryPanel'
import { QueuePanel } from './components/QueuePanel'
import { RunPanel } from './components/RunPanel'
import { ServerQueueStatus } from './components/ServerQueueStatus'
import { SimulatorControls } from './components/SimulatorControls'
import { usePage, type ServerKind } from './session/context'

const KIND_LABELS: Record<ServerKind['kind'], string> = {
  probing: '…',
  simulator: 'simulator',
  invokeai: 'InvokeAI',
  unknown: 'server unknown',
}

function ServerKindLabel({ server }: { server: ServerKind }) {
  return (
    <span className="muted" data-testid="server-kind" data-kind={server.kind}>
      {KIND_LABELS[server.kind]}
      {server.kind === 'unknown' ? `: ${server.error}` : null}
    </span>
  )
}

/** Shows the live run of the workflow editor until an item is picked in the queue. */
export function App() {
  const { server } = usePage()
  const activeItemId = useActiveItemId()
  const [pickedId, setPickedId] = useState<number | undefined>(undefined)
  const shownId = pickedId ?? activeItemId
  return (
    <div className="page">
      <header className="page-header">
        <h1>Workflow execution</h1>
        <ConnectionStatus />
        <ServerQueueStatus />
        <ServerKindLabel server={server} />
      </header>
      <main className="layout">
        <div className="column">
          <QueuePanel
            selectedId={shownId}
            onSelect={setPickedId}
            following={pickedId === undefined}
            onFollow={() => setPickedId(undefined)}
          />
          {server.kind === 'simulator' ? <SimulatorControls scenarios={server.scenarios} /> : null}
        </div>
        <RunPanel itemId={shownId} />
        <div className="column">
          <GalleryPanel />
          <DecisionsPanel />
        </div>
      </main>
    </div>
  )
}
