import { usePolled } from '../hooks/usePolled'
import { usePage } from '../session/context'
import { ErrorText } from './ErrorText'

const POLL_MS = 2000

/** The server's own counts (`GET …/status`), next to what the engine derived from the socket. */
export function ServerQueueStatus() {
  const { session } = usePage()
  const { value, error } = usePolled(session.api.queueStatus, POLL_MS)
  return (
    <div className="server-status" data-testid="server-queue">
      {value ? (
        <span>
          server queue: {value.pending} pending · {value.in_progress} running · {value.completed} completed ·{' '}
          {value.failed} failed · {value.canceled} canceled
        </span>
      ) : null}
      <ErrorText error={error} />
    </div>
  )
}
