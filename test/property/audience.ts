import type { SessionQueueItem } from '../../src'
import type { ServerEvent } from './workflowRuns'

/*
 * What a client sees of a run depends on who it is, as on InvokeAI 6.14: an admin (and a single-user
 * server's client) gets everything in full; a user gets its own runs and those without a user in full,
 * and of other users' runs only the redacted companion of each status event over the socket and a
 * sanitized row over REST.
 */

export const REDACTED = 'redacted'

export interface Viewer {
  /** The engine's `currentUserId`: null on a single-user server. */
  currentUserId: string | null
  admin: boolean
}

export const SINGLE_USER: Viewer = { currentUserId: null, admin: true }

export function viewerOf(multiUser: boolean, admin: boolean): Viewer {
  if (!multiUser) return SINGLE_USER
  return admin ? { currentUserId: 'admin', admin: true } : { currentUserId: 'alice', admin: false }
}

/** The viewer gets this owner's events and rows in full. */
export function seesInFull(viewer: Viewer, ownerId: string | null): boolean {
  return viewer.admin || ownerId === null || ownerId === viewer.currentUserId
}

/** The run may be the viewer's current run (rule A1): its own, or one without a user. */
export function ownsRun(viewer: Viewer, ownerId: string | null): boolean {
  return viewer.currentUserId === null || ownerId === null || ownerId === viewer.currentUserId
}

/** The socket event as this viewer receives it: in full, as a redacted companion, or not at all. */
export function viewEvent(viewer: Viewer, ownerId: string | null, event: ServerEvent): ServerEvent | null {
  if (seesInFull(viewer, ownerId)) return event
  const [name, payload] = event
  if (name !== 'queue_item_status_changed') return null
  return [
    name,
    {
      ...payload,
      user_id: REDACTED,
      batch_id: REDACTED,
      session_id: REDACTED,
      origin: null,
      destination: null,
      error_type: null,
      error_message: null,
      error_traceback: null,
    },
  ]
}

/** The REST row as this viewer gets it: in full, or sanitized (null fields omitted, as REST does). */
export function viewRow(viewer: Viewer, row: SessionQueueItem): SessionQueueItem {
  if (seesInFull(viewer, row.user_id ?? null)) return row
  const {
    origin: _origin,
    destination: _destination,
    error_type: _type,
    error_message: _message,
    error_traceback: _traceback,
    ...kept
  } = row
  return {
    ...kept,
    user_id: REDACTED,
    batch_id: REDACTED,
    session_id: REDACTED,
    session: {
      id: REDACTED,
      graph: { id: REDACTED, nodes: {}, edges: [] },
      execution_graph: { id: REDACTED, nodes: {}, edges: [] },
      executed: [],
      executed_history: [],
      results: {},
      errors: {},
      prepared_source_mapping: {},
      source_prepared_mapping: {},
    },
  } as SessionQueueItem
}
