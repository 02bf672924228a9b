import { useState } from 'react'
import { useActiveItemId } from '../../src/react'
import { ConnectionStatus } from './components/ConnectionStatus'
import { DecisionsPanel } from './components/DecisionsPanel'
import { GalleryPanel } from './components/GalleryPanel'
import { PanelBoundary } from './components/PanelBoundary'
import { NaivePanel } from './components/NaivePanel'
import { QueuePanel } from './components/QueuePanel'
import { RunPanel } from './components/RunPanel'
import { ServerQueueStatus } from './components/ServerQueueStatus'
import { SimulatorControls } from './components/SimulatorControls'
import { TimelinePanel } from './components/TimelinePanel'
import { UserSwitch } from './components/UserSwitch'
import { useThrottledValue } from './hooks/useThrottledValue'
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

const FOLLOW_INTERVAL_MS = 250

/** Shows the live run of the workflow editor until an item is picked in the queue. */
export function App() {
  const { server } = usePage()
  // A flood of new runs changes the live item hundreds of times a second: the run panel follows at 4 Hz.
  const activeItemId = useThrottledValue(useActiveItemId(), FOLLOW_INTERVAL_MS)
  const [pickedId, setPickedId] = useState<number | undefined>(undefined)
  const shownId = pickedId ?? activeItemId
  return (
    <div className="page">
      <header className="page-header">
        <h1>Workflow execution</h1>
        <PanelBoundary name="connection">
          <ConnectionStatus />
        </PanelBoundary>
        <PanelBoundary name="server queue">
          <ServerQueueStatus />
        </PanelBoundary>
        <ServerKindLabel server={server} />
        {server.kind === 'simulator' ? (
          <PanelBoundary name="user">
            <UserSwitch />
          </PanelBoundary>
        ) : null}
      </header>
      <main className="layout">
        <div className="column">
          <PanelBoundary name="queue">
            <QueuePanel
              selectedId={shownId}
              onSelect={setPickedId}
              following={pickedId === undefined}
              onFollow={() => setPickedId(undefined)}
            />
          </PanelBoundary>
          {server.kind === 'simulator' ? (
            <PanelBoundary name="simulator">
              <SimulatorControls scenarios={server.scenarios} />
            </PanelBoundary>
          ) : null}
        </div>
        <PanelBoundary name="run">
          <RunPanel itemId={shownId} />
        </PanelBoundary>
        <div className="column">
          <PanelBoundary name="gallery">
            <GalleryPanel />
          </PanelBoundary>
          <PanelBoundary name="decisions">
            <DecisionsPanel />
          </PanelBoundary>
        </div>
      </main>
      <div className="layout-wide">
        <PanelBoundary name="naive">
          <NaivePanel />
        </PanelBoundary>
        <PanelBoundary name="timeline">
          <TimelinePanel itemId={shownId} />
        </PanelBoundary>
      </div>
    </div>
  )
}
