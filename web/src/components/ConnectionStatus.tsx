import { useSocketConnected } from '../../../src/react'
import { clipText } from '../format/preview'
import { useObservable } from '../session/observable'
import { usePage } from '../session/context'

/** A connect_error's message is the server's text: shown cut. */
const MAX_ERROR_CHARS = 300

export type LinkState = 'connected' | 'connecting' | 'disconnected' | 'error'

/**
 * The line that says what the page is connected to: the protocol (`InvokeAI`, `ComfyUI`), the server, and
 * the socket's state with its detail. Shared by both pages; each computes the state from its own socket.
 */
export function ConnectionLine({
  protocol,
  label,
  state,
  detail,
}: {
  protocol: string
  label: string
  state: LinkState
  detail: string
}) {
  return (
    <p
      className={`connection connection-${state}`}
      data-testid="connection"
      data-state={state}
      data-protocol={protocol}
    >
      <span className="dot" aria-hidden="true" />
      <strong data-testid="protocol">{protocol}</strong> {label} — {detail}
    </p>
  )
}

/** The engine's view of the socket (connected or not) with socket.io's reason when it is not. */
export function ConnectionStatus() {
  const { session } = usePage()
  const connected = useSocketConnected()
  const link = useObservable(session.link)
  const state: LinkState = connected
    ? 'connected'
    : link.lastError
      ? 'error'
      : link.connects === 0
        ? 'connecting'
        : 'disconnected'
  const detail =
    state === 'error'
      ? `connection error: ${clipText(link.lastError ?? '', MAX_ERROR_CHARS)}`
      : state === 'disconnected'
        ? `disconnected (${link.lastDisconnectReason ?? 'unknown reason'}), reconnecting…`
        : state === 'connecting'
          ? 'connecting…'
          : `connected${link.connects > 1 ? ` (reconnected ${link.connects - 1}×)` : ''}`
  return <ConnectionLine protocol="InvokeAI" label={session.target.label} state={state} detail={detail} />
}
