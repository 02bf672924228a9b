/*
 * ComfyUI's binary frames (docs/comfyui.md §1.2): a 4-byte big-endian event type, then its body. Type 1 is
 * a latent preview (a 4-byte format, 1 JPEG or 2 PNG, then the image); type 4 the same with JSON
 * metadata naming its prompt and node (a 4-byte length, the JSON, then the image); type 3 progress text
 * (a 4-byte node id length, the id, then the text). Anything shorter than its header, or of another type,
 * is refused with a reason: a frame never throws.
 */

export const BINARY_PREVIEW_IMAGE = 1
export const BINARY_PROGRESS_TEXT = 3
export const BINARY_PREVIEW_IMAGE_WITH_METADATA = 4

/** A preview's metadata is a small JSON object; past this it is not read. */
export const MAX_PREVIEW_METADATA_BYTES = 64 * 1024

export type PreviewMimeType = 'image/jpeg' | 'image/png'

export interface PreviewMetadata {
  nodeId: string | null
  promptId: string | null
  displayNodeId: string | null
  parentNodeId: string | null
  realNodeId: string | null
}

export type BinaryFrame =
  | { kind: 'preview'; mimeType: PreviewMimeType; image: Uint8Array; metadata: PreviewMetadata | null }
  | { kind: 'progress_text'; nodeId: string; text: string }

export type DecodedBinaryFrame = { ok: true; frame: BinaryFrame } | { ok: false; reason: string }

const FORMATS: Record<number, PreviewMimeType> = { 1: 'image/jpeg', 2: 'image/png' }
const MIME_TYPES = new Set<string>(['image/jpeg', 'image/png'])

const refuse = (reason: string): DecodedBinaryFrame => ({ ok: false, reason })

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function metadataOf(json: unknown): { metadata: PreviewMetadata; mimeType: PreviewMimeType } | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null
  const fields = json as Record<string, unknown>
  const mimeType = fields['image_type']
  if (typeof mimeType !== 'string' || !MIME_TYPES.has(mimeType)) return null
  return {
    mimeType: mimeType as PreviewMimeType,
    metadata: {
      nodeId: stringOrNull(fields['node_id']),
      promptId: stringOrNull(fields['prompt_id']),
      displayNodeId: stringOrNull(fields['display_node_id']),
      parentNodeId: stringOrNull(fields['parent_node_id']),
      realNodeId: stringOrNull(fields['real_node_id']),
    },
  }
}

/** Decodes one binary WebSocket message (an ArrayBuffer, as with `binaryType = 'arraybuffer'`). */
export function decodeBinaryFrame(buffer: ArrayBuffer | Uint8Array): DecodedBinaryFrame {
  const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.byteLength < 4) return refuse('shorter than its 4-byte event type')
  const type = view.getUint32(0)
  if (type === BINARY_PREVIEW_IMAGE) {
    if (bytes.byteLength < 8) return refuse('preview without its 4-byte image format')
    const mimeType = FORMATS[view.getUint32(4)]
    if (!mimeType) return refuse(`preview of unknown image format ${view.getUint32(4)}`)
    return { ok: true, frame: { kind: 'preview', mimeType, image: bytes.subarray(8), metadata: null } }
  }
  if (type === BINARY_PREVIEW_IMAGE_WITH_METADATA) {
    if (bytes.byteLength < 8) return refuse('preview without its 4-byte metadata length')
    const length = view.getUint32(4)
    if (length > MAX_PREVIEW_METADATA_BYTES) return refuse(`preview metadata of ${length} bytes`)
    if (8 + length > bytes.byteLength) return refuse('preview metadata longer than the frame')
    let json: unknown
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length)))
    } catch {
      return refuse('preview metadata is not UTF-8 JSON')
    }
    const read = metadataOf(json)
    if (!read) return refuse('preview metadata without a known image_type')
    return {
      ok: true,
      frame: {
        kind: 'preview',
        mimeType: read.mimeType,
        image: bytes.subarray(8 + length),
        metadata: read.metadata,
      },
    }
  }
  if (type === BINARY_PROGRESS_TEXT) {
    if (bytes.byteLength < 8) return refuse('progress text without its 4-byte node id length')
    const length = view.getUint32(4)
    if (8 + length > bytes.byteLength) return refuse('progress text node id longer than the frame')
    const decoder = new TextDecoder('utf-8')
    const nodeId = decoder.decode(bytes.subarray(8, 8 + length))
    if (nodeId === '') return refuse('progress text without a node id')
    return {
      ok: true,
      frame: { kind: 'progress_text', nodeId, text: decoder.decode(bytes.subarray(8 + length)) },
    }
  }
  return refuse(`unknown binary event type ${type}`)
}
