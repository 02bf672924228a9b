import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { binaryFrame, PROMPT_ID } from '../../../../test/helpers/comfyWire'
import {
  BINARY_PREVIEW_IMAGE,
  BINARY_PREVIEW_IMAGE_WITH_METADATA,
  BINARY_PROGRESS_TEXT,
  decodeBinaryFrame,
  MAX_PREVIEW_METADATA_BYTES,
} from '..'

const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47])

describe('a ComfyUI binary frame', () => {
  it('type 1 is a preview in the format its second word names (1 JPEG, 2 PNG), with no metadata', () => {
    const decoded = decodeBinaryFrame(binaryFrame(BINARY_PREVIEW_IMAGE, 2, PNG_BYTES).buffer)
    expect(decoded).toEqual({
      ok: true,
      frame: { kind: 'preview', mimeType: 'image/png', image: PNG_BYTES, metadata: null },
    })
    expect(decodeBinaryFrame(binaryFrame(BINARY_PREVIEW_IMAGE, 1, PNG_BYTES))).toMatchObject({
      frame: { mimeType: 'image/jpeg' },
    })
    expect(decodeBinaryFrame(binaryFrame(BINARY_PREVIEW_IMAGE, 3, PNG_BYTES))).toEqual({
      ok: false,
      reason: 'preview of unknown image format 3',
    })
  })

  it('type 4 names its prompt and nodes in JSON metadata before the image', () => {
    const metadata = JSON.stringify({
      node_id: '12.0.0.3',
      prompt_id: PROMPT_ID,
      display_node_id: '12',
      parent_node_id: '12',
      real_node_id: '12',
      image_type: 'image/png',
    })
    const bytes = new TextEncoder().encode(metadata)
    expect(
      decodeBinaryFrame(binaryFrame(BINARY_PREVIEW_IMAGE_WITH_METADATA, bytes.byteLength, bytes, PNG_BYTES)),
    ).toEqual({
      ok: true,
      frame: {
        kind: 'preview',
        mimeType: 'image/png',
        image: PNG_BYTES,
        metadata: {
          nodeId: '12.0.0.3',
          promptId: PROMPT_ID,
          displayNodeId: '12',
          parentNodeId: '12',
          realNodeId: '12',
        },
      },
    })
  })

  it('type 4 with metadata that overruns the frame, is too long, not JSON or of no image type is refused', () => {
    const bad = (length: number, ...rest: (string | Uint8Array)[]) =>
      decodeBinaryFrame(binaryFrame(BINARY_PREVIEW_IMAGE_WITH_METADATA, length, ...rest))
    expect(bad(100, '{}')).toEqual({ ok: false, reason: 'preview metadata longer than the frame' })
    expect(bad(MAX_PREVIEW_METADATA_BYTES + 1, '{}')).toMatchObject({ ok: false })
    expect(bad(3, '{x}')).toEqual({ ok: false, reason: 'preview metadata is not UTF-8 JSON' })
    expect(bad(2, '{}')).toEqual({ ok: false, reason: 'preview metadata without a known image_type' })
  })

  it('type 3 is progress text for a node', () => {
    expect(decodeBinaryFrame(binaryFrame(BINARY_PROGRESS_TEXT, 2, '12', 'step 3 of 20'))).toEqual({
      ok: true,
      frame: { kind: 'progress_text', nodeId: '12', text: 'step 3 of 20' },
    })
  })

  it('of another type, or shorter than its header, is refused with a reason', () => {
    expect(decodeBinaryFrame(new Uint8Array([0, 0]))).toEqual({
      ok: false,
      reason: 'shorter than its 4-byte event type',
    })
    expect(decodeBinaryFrame(binaryFrame(2, PNG_BYTES))).toEqual({
      ok: false,
      reason: 'unknown binary event type 2',
    })
    expect(decodeBinaryFrame(binaryFrame(BINARY_PREVIEW_IMAGE))).toMatchObject({ ok: false })
  })

  it('of any bytes never throws: it decodes or is refused', () => {
    const types = fc.constantFrom(1, 3, 4, 2, 0xffffffff)
    fc.assert(
      fc.property(types, fc.uint8Array({ maxLength: 64 }), (type, rest) => {
        const decoded = decodeBinaryFrame(binaryFrame(type, rest))
        expect(typeof decoded.ok).toBe('boolean')
        if (!decoded.ok) expect(decoded.reason.length).toBeGreaterThan(0)
      }),
    )
  })
})
