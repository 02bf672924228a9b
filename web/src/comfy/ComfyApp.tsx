import { useState } from 'react'
import { Provider } from 'react-redux'
import { useActiveItemId } from '../../../src/react'
import { PanelBoundary } from '../components/PanelBoundary'
import { QueuePanel } from '../components/QueuePanel'
import { useThrottledValue } from '../hooks/useThrottledValue'
import { frameBatchedStore } from '../session/frameBatchedStore'
import { ComfyDeliveryForm } from './ComfyDeliveryForm'
import { ComfyGallery } from './ComfyGallery'
import { ComfyConnectionStatus, ComfyRejectedFrames, ComfyServerKind, ComfyServerQueue } from './ComfyHeader'
import { ComfyRunForm } from './ComfyRunForm'
import { ComfyRunPanel } from './ComfyRunPanel'
import { ComfySessionContext, useComfySession } from './context'
import type { ComfySession } from './createComfySession'
import './comfy.css'

const FOLLOW_INTERVAL_MS = 250

/** The ComfyUI page: the queue, a run form, the run's graph, the gallery; the delivery on the simulator. */
export function ComfyApp() {
  const session = useComfySession()
  const activeItemId = useThrottledValue(useActiveItemId(), FOLLOW_INTERVAL_MS)
  const [pickedId, setPickedId] = useState<number | undefined>(undefined)
  const shownId = pickedId ?? activeItemId
  return (
    <div className="page" data-protocol="comfyui">
      <header className="page-header">
        <h1>Workflow execution</h1>
        <PanelBoundary name="connection">
          <ComfyConnectionStatus />
        </PanelBoundary>
        <PanelBoundary name="server queue">
          <ComfyServerQueue />
        </PanelBoundary>
        <ComfyServerKind />
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
          <PanelBoundary name="run form">
            <ComfyRunForm />
          </PanelBoundary>
          {session.simulator ? (
            <PanelBoundary name="simulator">
              <ComfyDeliveryForm />
            </PanelBoundary>
          ) : null}
        </div>
        <PanelBoundary name="run">
          <ComfyRunPanel itemId={shownId} />
        </PanelBoundary>
        <div className="column">
          <PanelBoundary name="gallery">
            <ComfyGallery />
          </PanelBoundary>
          <PanelBoundary name="rejected">
            <ComfyRejectedFrames />
          </PanelBoundary>
        </div>
      </main>
    </div>
  )
}

/** The store (frame-batched for React) and the session, around the page. */
export function ComfyRoot({ session }: { session: ComfySession }) {
  const [store] = useState(() => frameBatchedStore(session.store))
  return (
    <Provider store={store}>
      <ComfySessionContext.Provider value={session}>
        <ComfyApp />
      </ComfySessionContext.Provider>
    </Provider>
  )
}
