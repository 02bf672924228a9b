import { useSocketConnected } from '../../../src/react'
import { ConnectionLine, type LinkState } from '../components/ConnectionStatus'
import { ErrorText } from '../components/ErrorText'
import { clipText } from '../format/preview'
import { usePolled } from '../hooks/usePolled'
import { useObservable } from '../session/observable'
import { useComfySession } from './context'

const POLL_MS = 2000
const MAX_REASON_CHARS = 200

/** The engine's view of the `/ws` socket, said as ComfyUI's. */
export function ComfyConnectionStatus() {
  const session = useComfySession()
  const connected = useSocketConnected()
  const link = useObservable(session.link)
  const state: LinkState = connected ? 'connected' : link.opens === 0 ? 'connecting' : 'disconnected'
  const detail =
    state === 'connected'
      ? `connected${link.opens > 1 ? ` (reconnected ${link.opens - 1}×)` : ''}`
      : state === 'connecting'
        ? 'connecting…'
        : `disconnected (${clipText(link.lastClose ?? 'unknown reason', MAX_REASON_CHARS)}), reconnecting…`
  return <ConnectionLine protocol="ComfyUI" label={session.target.label} state={state} detail={detail} />
}

/** The server's own queue (`GET /queue`): what runs and waits there, whoever queued it. */
export function ComfyServerQueue() {
  const session = useComfySession()
  const { value, error } = usePolled(session.api.queue, POLL_MS)
  return (
    <div className="server-status" data-testid="server-queue">
      {value ? (
        <span>
          server queue: {value.running.length} running · {value.pending.length} pending
        </span>
      ) : null}
      <ErrorText error={error} />
    </div>
  )
}

export function ComfyServerKind() {
  const session = useComfySession()
  return (
    <span
      className="muted"
      data-testid="server-kind"
      data-kind={session.simulator ? 'comfyui-simulator' : 'comfyui'}
    >
      {session.simulator ? 'ComfyUI simulator' : 'ComfyUI'} · client {session.clientId.slice(0, 8)}
    </span>
  )
}

/** Frames that failed validation: the engine ignored them, the page says what they were. */
export function ComfyRejectedFrames() {
  const session = useComfySession()
  const rejections = useObservable(session.rejections)
  return (
    <section className="panel decisions" data-testid="decisions">
      <h2>Rejected frames</h2>
      {rejections.length === 0 ? <p className="muted">No frame rejected.</p> : null}
      <ul className="log">
        {rejections.map((rejection) => (
          <li key={rejection.seq} data-testid="rejected" data-event={rejection.event}>
            <span className="muted">{rejection.receivedAt}</span> <strong>{rejection.event}</strong>
            <ul>
              {rejection.issues.map((issue, index) => (
                <li key={index}>
                  <code>{issue.path || '(frame)'}</code> {issue.message}
                </li>
              ))}
            </ul>
            <pre>{rejection.preview}</pre>
          </li>
        ))}
      </ul>
    </section>
  )
}
