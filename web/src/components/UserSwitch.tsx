import { useEffect, useState } from 'react'
import type { SimulatorUser } from '../session/api'
import { usePage } from '../session/context'
import { useObservable } from '../session/observable'

/** The `<select>` value of a token no listed user has (one given in the page's URL). */
const UNLISTED = ''

/**
 * Acts as one of the simulator's users (`GET /sim/users`): the socket reconnects with that user's token,
 * REST calls carry it, and the engine starts over with what that user may see.
 */
export function UserSwitch() {
  const { session } = usePage()
  const current = useObservable(session.user)
  const [users, setUsers] = useState<SimulatorUser[] | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    const controller = new AbortController()
    session.api.users(controller.signal).then(setUsers, (failure: unknown) => {
      if (!controller.signal.aborted) setError(failure instanceof Error ? failure.message : String(failure))
    })
    return () => controller.abort()
  }, [session])

  // The page starts with the token it was given: whose it is, once the list says so.
  const matching = users?.find((user) => user.token === current.token)
  useEffect(() => {
    if (matching && current.userId === null) session.identify(matching.userId)
  }, [matching, current.userId, session])

  if (error !== null) return <span className="muted small">users: {error}</span>
  if (users === null) return null
  const selected = current.userId ?? matching?.userId ?? UNLISTED
  return (
    <label className="user-switch">
      Acting as
      <select
        data-testid="user-switch"
        value={selected}
        onChange={(event) => {
          const user = users.find((u) => u.userId === event.target.value)
          if (user) session.switchUser(user)
        }}
      >
        {users.some((u) => u.userId === selected) ? null : (
          <option value={UNLISTED} disabled>
            the URL&apos;s token
          </option>
        )}
        {users.map((user) => (
          <option key={user.userId} value={user.userId}>
            {user.userId}
            {user.token === null ? ' (no token)' : ''}
          </option>
        ))}
      </select>
    </label>
  )
}
