import type { z } from 'zod'
import { sessionQueueItemSchema, socketEventSchemas } from './schemas'
import { MAX_PAYLOAD_DEPTH, pathTooDeep } from '../../features/workflowExecution/wire/depth'
import { isSurelyValidProgress, withoutSurelyValidCollections } from './fastGuards'
import type { SessionQueueItem, SocketEventName, SocketEventPayloads } from './types'

export * from './schemas'
export type * from './types'

import type { ValidationIssue } from '../../features/workflowExecution/wire'

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] }

const MAX_ISSUES = 10

function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message.slice(0, 200),
  }))
}

function tooDeepIssue(payload: unknown): { ok: false; issues: ValidationIssue[] } | null {
  const path = pathTooDeep(payload)
  return path === null
    ? null
    : {
        ok: false,
        issues: [{ path: path.slice(0, 200), message: `nested deeper than ${MAX_PAYLOAD_DEPTH} levels` }],
      }
}

/**
 * Checks a payload against its schema. On success the value is the payload itself, as received: zod's
 * output drops keys such as `__proto__` and unknown fields, and the model must see what the server sent.
 */
export function validateSocketEvent<K extends SocketEventName>(
  event: K,
  payload: unknown,
): Validated<SocketEventPayloads[K]> {
  const tooDeep = tooDeepIssue(payload)
  if (tooDeep) return tooDeep
  if (event === 'invocation_progress' && isSurelyValidProgress(payload))
    return { ok: true, value: payload as SocketEventPayloads[K] }
  const result = socketEventSchemas[event].safeParse(payload)
  return result.success
    ? { ok: true, value: payload as SocketEventPayloads[K] }
    : { ok: false, issues: toIssues(result.error) }
}

export function validateSessionQueueItem(payload: unknown): Validated<SessionQueueItem> {
  const tooDeep = tooDeepIssue(payload)
  if (tooDeep) return tooDeep
  // A large batch's session holds one result per copy: a guard checks those, zod the rest.
  const result = sessionQueueItemSchema.safeParse(withoutSurelyValidCollections(payload) ?? payload)
  return result.success
    ? { ok: true, value: payload as SessionQueueItem }
    : { ok: false, issues: toIssues(result.error) }
}

export function isSocketEventName(name: string): name is SocketEventName {
  return Object.hasOwn(socketEventSchemas, name)
}
export { parseSessionError, persistedRunOfQueueItem, metaOfQueueItem } from './persisted'
