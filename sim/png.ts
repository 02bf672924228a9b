// A small PNG encoder (8-bit RGB or RGBA, no interlace) on Node's zlib: enough for the simulator's
// pictures, with no dependency. The same pixels always give the same bytes (fixed deflate settings).
import { deflateSync } from 'node:zlib'

/** Pixels, row-major, `channels` bytes per pixel (3 = RGB, 4 = RGBA). */
export interface Raster {
  width: number
  height: number
  channels: 3 | 4
  data: Uint8Array
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** The CRC-32 table (polynomial 0xEDB88320), built once; never written after. */
const CRC_TABLE: readonly number[] = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

export function crc32(bytes: Uint8Array, initial = 0): number {
  let c = ~initial >>> 0
  for (let i = 0; i < bytes.length; i++)
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8)
  return ~c >>> 0
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'latin1')
  out.set(data, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/**
 * The filtered scanlines, every row with the Paeth filter (type 4): on these smooth pictures it deflates
 * smaller than the per-row "smallest sum" choice among the five filters, and costs one pass.
 */
function filterRows(raster: Raster): Buffer {
  const { width, height, channels, data } = raster
  const stride = width * channels
  const out = Buffer.alloc((stride + 1) * height)
  for (let y = 0; y < height; y++) {
    const row = y * stride
    const above = row - stride
    const at = y * (stride + 1)
    out[at] = 4
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (data[row + i - channels] as number) : 0
      const b = y > 0 ? (data[above + i] as number) : 0
      const c = y > 0 && i >= channels ? (data[above + i - channels] as number) : 0
      const p = a + b - c
      const pa = p > a ? p - a : a - p
      const pb = p > b ? p - b : b - p
      const pc = p > c ? p - c : c - p
      const predicted = pa <= pb && pa <= pc ? a : pb <= pc ? b : c
      out[at + 1 + i] = ((data[row + i] as number) - predicted) & 0xff
    }
  }
  return out
}

export function encodePng(raster: Raster): Buffer {
  const { width, height, channels, data } = raster
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`bad PNG size ${width}x${height}`)
  }
  if (data.length !== width * height * channels) throw new RangeError('pixel data does not match the size')
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = channels === 4 ? 6 : 2 // colour type: RGBA or RGB
  // compression, filter method, interlace: all 0
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(filterRows(raster), { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ])
}

export const pngDataUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`
