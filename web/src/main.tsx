import { StrictMode, useMemo, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { Provider } from 'react-redux'
import { App } from './App'
import { ComfyRoot } from './comfy/ComfyApp'
import { createComfySession } from './comfy/createComfySession'
import { readPageProtocol } from './comfy/protocol'
import { useServerKind } from './hooks/useServerKind'
import { SessionContext } from './session/context'
import { createLiveSession, type LiveSession } from './session/createLiveSession'
import { frameBatchedStore } from './session/frameBatchedStore'
import { readServerTarget, urlWithoutToken } from './session/target'
import './styles.css'

function Page({ session }: { session: LiveSession }) {
  const server = useServerKind(session.api)
  const page = useMemo(() => ({ session, server }), [session, server])
  return (
    <SessionContext.Provider value={page}>
      <App />
    </SessionContext.Provider>
  )
}

function Root({ session }: { session: LiveSession }) {
  // Components re-render once per frame, however many events the frame brought.
  const [store] = useState(() => frameBatchedStore(session.store))
  return (
    <Provider store={store}>
      <Page session={session} />
    </Provider>
  )
}

function main() {
  const container = document.getElementById('root')
  if (!container) throw new Error('index.html has no #root')
  const root = createRoot(container)
  const target = readServerTarget(window.location)
  // The token is read: it leaves the URL (address bar, this history entry, what a Referer could carry).
  const withoutToken = urlWithoutToken(window.location.href)
  if (withoutToken !== null) window.history.replaceState(window.history.state, '', withoutToken)
  if (!target.ok) {
    root.render(
      <p className="error" role="alert" data-testid="error">
        {target.error}
      </p>,
    )
    return
  }
  // Which server: the protocol the page was served with (comfy/protocol.ts); InvokeAI when it says none.
  const served = readPageProtocol(document, window.location)
  if (served.protocol === 'comfyui') {
    const comfy = createComfySession(target.target, { simulator: served.simulator })
    root.render(
      <StrictMode>
        <ComfyRoot session={comfy} />
      </StrictMode>,
    )
    return
  }
  // One session per page load: the socket and the store live as long as the page does.
  const session = createLiveSession(target.target)
  root.render(
    <StrictMode>
      <Root session={session} />
    </StrictMode>,
  )
}

main()
