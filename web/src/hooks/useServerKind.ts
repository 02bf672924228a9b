import { useEffect, useState } from 'react'
import { useSocketConnected } from '../../../src/react'
import { ServerError, type ServerApi } from '../session/api'
import type { ServerKind } from '../session/context'

const REFUSED = new Set([401, 403])

function kindOfFailure(error: unknown): ServerKind {
  const answered = error instanceof ServerError && error.status !== null && !REFUSED.has(error.status)
  return answered
    ? { kind: 'invokeai' }
    : { kind: 'unknown', error: error instanceof Error ? error.message : String(error) }
}

/**
 * Asks whether the server is the simulator (it lists scenarios). A server that answers something else is
 * a real InvokeAI; one that does not answer, or refuses the token, stays unknown and is asked again
 * whenever the socket connects or drops.
 */
export function useServerKind(api: ServerApi): ServerKind {
  const connected = useSocketConnected()
  const [kind, setKind] = useState<ServerKind>({ kind: 'probing' })
  const known = kind.kind === 'simulator' || kind.kind === 'invokeai'
  useEffect(() => {
    if (known) return
    const controller = new AbortController()
    api.scenarios(controller.signal).then(
      (scenarios) => setKind({ kind: 'simulator', scenarios }),
      (error: unknown) => {
        if (!controller.signal.aborted) setKind(kindOfFailure(error))
      },
    )
    return () => controller.abort()
  }, [api, connected, known])
  return kind
}
