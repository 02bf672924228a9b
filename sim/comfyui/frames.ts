// What goes on the socket: JSON text frames `{type, data}` and the binary preview frames of
// docs/comfyui.md §1.2 (a 4-byte big-endian event type, then the body).
import type { JsonObject } from './types'

export type Frame = { kind: 'json'; type: string; data: JsonObject } | { kind: 'binary'; bytes: Buffer }

export const json = (type: string, data: JsonObject): Frame => ({ kind: 'json', type, data })

export const BINARY_PREVIEW_IMAGE = 1
export const BINARY_PREVIEW_IMAGE_WITH_METADATA = 4
/** Image formats of a type-1 preview. */
export const FORMAT_JPEG = 1
export const FORMAT_PNG = 2

/** Type 1: the format (2 = PNG), then the image. No ids: a legacy client attributes it by `progress`. */
export function previewFrame(png: Buffer): Frame {
  const header = Buffer.alloc(8)
  header.writeUInt32BE(BINARY_PREVIEW_IMAGE, 0)
  header.writeUInt32BE(FORMAT_PNG, 4)
  return { kind: 'binary', bytes: Buffer.concat([header, png]) }
}

export interface PreviewMetadata {
  node_id: string
  prompt_id: string
  display_node_id: string
  parent_node_id: string | null
  real_node_id: string
  image_type: 'image/png' | 'image/jpeg'
}

/** Type 4: the metadata's length, the metadata as JSON, then the image. */
export function previewWithMetadataFrame(metadata: PreviewMetadata, png: Buffer): Frame {
  const text = Buffer.from(JSON.stringify(metadata), 'utf8')
  const header = Buffer.alloc(8)
  header.writeUInt32BE(BINARY_PREVIEW_IMAGE_WITH_METADATA, 0)
  header.writeUInt32BE(text.length, 4)
  return { kind: 'binary', bytes: Buffer.concat([header, text, png]) }
}

/** Core's own flags (docs/comfyui.md §1.3), the handshake answer and `GET /features`. */
export function serverFeatureFlags(): JsonObject {
  return {
    supports_preview_metadata: true,
    supports_model_type_tags: true,
    max_upload_size: 100 * 1024 * 1024,
    extension: { manager: { supports_v4: true } },
    node_replacements: true,
    assets: false,
  }
}
