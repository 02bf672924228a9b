import { createContext, useContext } from 'react'
import type { ComfySession } from './createComfySession'

export const ComfySessionContext = createContext<ComfySession | null>(null)

export function useComfySession(): ComfySession {
  const session = useContext(ComfySessionContext)
  if (!session) throw new Error('useComfySession needs a <ComfySessionContext.Provider>')
  return session
}
