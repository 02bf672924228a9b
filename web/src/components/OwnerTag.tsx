import { useSelector } from 'react-redux'
import { selectWorkflowExecution, type WithWorkflowExecution } from '../../../src'

/** What a 6.14 multi-user server puts in place of another user's ids. */
const REDACTED = 'redacted'

/** Whose item: this page's user's, another user's, or not known (no user id, or no current user yet). */
export type Owner = 'own' | 'other' | 'unknown'

export function ownerOf(userId: string | null, currentUserId: string | null): Owner {
  if (userId === REDACTED) return 'other'
  if (userId === null || currentUserId === null) return 'unknown'
  return userId === currentUserId ? 'own' : 'other'
}

/** The engine's current user (`currentUserChanged`), whose runs are the page's own. */
export function useCurrentUserId(): string | null {
  return useSelector((state: WithWorkflowExecution) => selectWorkflowExecution(state).config.currentUserId)
}

/** Marks another user's item, so it never reads as this user's own run; nothing for the user's own. */
export function OwnerTag({ owner, userId }: { owner: Owner; userId: string | null }) {
  if (owner !== 'other') return null
  return (
    <span className="owner-other" data-testid="owner-other">
      another user&apos;s item{userId !== null && userId !== REDACTED ? ` (${userId})` : ''}
    </span>
  )
}
