import { createContext, useContext } from 'react'
import type { ScenarioInfo } from './api'
import type { LiveSession } from './createLiveSession'

/** What kind of server the page talks to: the simulator has a control API and no image store. */
export type ServerKind =
  | { kind: 'probing' }
  | { kind: 'simulator'; scenarios: ScenarioInfo[] }
  | { kind: 'invokeai' }
  /** The probe got no answer, or was refused (a bad token): nothing can be said. */
  | { kind: 'unknown'; error: string }

export interface PageContext {
  session: LiveSession
  server: ServerKind
}

export const SessionContext = createContext<PageContext | null>(null)

export function usePage(): PageContext {
  const page = useContext(SessionContext)
  if (!page) throw new Error('usePage needs a <SessionContext.Provider>')
  return page
}
