import { pathTooDeep } from '../../features/workflowExecution/wire/depth'
import type { ValidationIssue } from '../../features/workflowExecution/wire'
import { COMFY_FRAME_SCHEMAS, type ComfyFrame, type ComfyFrameType } from './schemas'

export * from './schemas'
export * from './binary'

/** What one JSON frame is: one the adapter reads, one of a type it ignores, or a rejection with reasons. */
export type ParsedComfyFrame =
  | { kind: 'frame'; frame: ComfyFrame }
  | { kind: 'ignored'; type: string }
  | { kind: 'rejected'; type: string | null; issues: ValidationIssue[] }

const isFrameType = (type: string): type is ComfyFrameType => Object.hasOwn(COMFY_FRAME_SCHEMAS, type)

const rejected = (type: string | null, path: string, message: string): ParsedComfyFrame => ({
  kind: 'rejected',
  type,
  issues: [{ path, message }],
})

/**
 * Parses one text frame of `/ws`. Nothing here throws: malformed JSON, a missing envelope, a payload nested
 * past MAX_PAYLOAD_DEPTH (checked before zod walks it) or a wrong shape is a rejection that names where.
 * Types the adapter does not read (`logs`, custom nodes' own) are ignored, as the server's own client does.
 */
export function parseComfyFrame(text: string): ParsedComfyFrame {
  let envelope: unknown
  try {
    envelope = JSON.parse(text)
  } catch (error) {
    return rejected(null, '(frame)', `not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope))
    return rejected(null, '(frame)', 'not a { type, data } object')
  const { type, data } = envelope as { type?: unknown; data?: unknown }
  if (typeof type !== 'string' || type === '') return rejected(null, 'type', 'missing or not a string')
  if (!isFrameType(type)) return { kind: 'ignored', type }
  const tooDeep = pathTooDeep(data)
  if (tooDeep !== null) return rejected(type, tooDeep ? `data.${tooDeep}` : 'data', 'nested too deep')
  const parsed = COMFY_FRAME_SCHEMAS[type].safeParse(data)
  if (!parsed.success)
    return {
      kind: 'rejected',
      type,
      issues: parsed.error.issues.map((issue) => ({
        path: ['data', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    }
  return { kind: 'frame', frame: { type, data: parsed.data } as ComfyFrame }
}
