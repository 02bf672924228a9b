// Who a socket or a REST caller is. A token maps to a user id through `SimulatorOptions.users`;
// `authToken` (the single shared token) and a missing token (when no authToken is required) are the
// single-user `system` user. `admin` and `system` see every user's items in full.
import type { SimulatorUser } from './types'

export interface Identity {
  userId: string
  isAdmin: boolean
}

/** What other users' ids and errors read as, in companions and sanitized items. */
export const REDACTED = 'redacted'
export const SYSTEM_USER_ID = 'system'
export const ADMIN_USER_ID = 'admin'

export const systemIdentity: Identity = Object.freeze({ userId: SYSTEM_USER_ID, isAdmin: true })

const identityOf = (userId: string): Identity => ({
  userId,
  isAdmin: userId === ADMIN_USER_ID || userId === SYSTEM_USER_ID,
})

/** True when this viewer gets the item's full events and REST body (else: companions, sanitized). */
export const seesInFull = (viewer: Identity, ownerId: string) => viewer.isAdmin || viewer.userId === ownerId

/** A user id is any non-empty string but the one that means "hidden". */
export const isUserId = (value: unknown): value is string =>
  typeof value === 'string' && value !== '' && value !== REDACTED

export type Identities = ReturnType<typeof createIdentities>

export function createIdentities(authToken: string | undefined, users: Record<string, string> = {}) {
  const byToken = new Map(
    Object.entries(users).map(([token, userId]) => {
      if (!token || !isUserId(userId)) throw new Error(`users: '${token}' must map to a user id`)
      return [token, identityOf(userId)] as const
    }),
  )
  // With neither a shared token nor users, tokens are ignored: everyone is the single-user system user.
  const open = !authToken && byToken.size === 0
  return {
    /** The caller's identity, or null when the token is refused (connect_error, 401). */
    resolve(token: string | undefined): Identity | null {
      if (token && byToken.has(token)) return byToken.get(token) as Identity
      if (authToken && token === authToken) return systemIdentity
      if (open || (!authToken && !token)) return systemIdentity
      return null
    },
    /**
     * Every way in, for a demo's user switch: the token-less system user (when no authToken is required),
     * the shared authToken, then each configured user. The tokens are no secret on a loopback simulator.
     */
    list(): SimulatorUser[] {
      return [
        { userId: SYSTEM_USER_ID, token: authToken || null },
        ...[...byToken].map(([token, identity]) => ({ userId: identity.userId, token })),
      ]
    },
  }
}

/** `Bearer <token>` of an Authorization header, undefined when absent or of another scheme. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '')
  return match?.[1]?.trim()
}
