// A strict PNG reader for the tests (8-bit RGB/RGBA, no interlace): checks the signature and every
// chunk's CRC, then undoes the scanline filters, so a test sees the pixels a browser would.
import { inflateSync } from 'node:zlib'
import { crc32, PNG_SIGNATURE } from '../png'
import type { Raster } from '../png'

export interface DecodedPng extends Raster {
  chunks: string[]
}

/** Width and height from the IHDR chunk (which must come first). */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('no PNG signature')
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('IHDR is not the first chunk')
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

export function decodePng(png: Buffer): DecodedPng {
  const { width, height } = pngSize(png)
  const chunks: string[] = []
  const idat: Buffer[] = []
  let channels: 3 | 4 = 3
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    const data = png.subarray(at + 8, at + 8 + length)
    if (crc32(png.subarray(at + 4, at + 8 + length)) !== png.readUInt32BE(at + 8 + length)) {
      throw new Error(`bad CRC in ${type}`)
    }
    chunks.push(type)
    if (type === 'IHDR') {
      if (data[8] !== 8 || (data[9] !== 2 && data[9] !== 6) || data[12] !== 0)
        throw new Error('unsupported IHDR')
      channels = data[9] === 6 ? 4 : 3
    }
    if (type === 'IDAT') idat.push(data)
    at += 12 + length
  }
  if (chunks.at(-1) !== 'IEND') throw new Error('no IEND at the end')
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  if (raw.length !== (stride + 1) * height) throw new Error('IDAT size does not match IHDR')
  const out = new Uint8Array(stride * height)
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i] as number
      const a = i >= channels ? (out[y * stride + i - channels] as number) : 0
      const b = y > 0 ? (out[(y - 1) * stride + i] as number) : 0
      const c = y > 0 && i >= channels ? (out[(y - 1) * stride + i - channels] as number) : 0
      const p = a + b - c
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)]
      const predicted = [0, a, b, (a + b) >>> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter]
      if (predicted === undefined) throw new Error(`bad filter type ${filter}`)
      out[y * stride + i] = (x + predicted) & 0xff
    }
  }
  return { width, height, channels, data: out, chunks }
}

export function decodeDataUrl(dataURL: string): DecodedPng {
  const prefix = 'data:image/png;base64,'
  if (!dataURL.startsWith(prefix)) throw new Error(`not a PNG data URL: ${dataURL.slice(0, 30)}`)
  return decodePng(Buffer.from(dataURL.slice(prefix.length), 'base64'))
}

/** `raster` box-averaged down to `width`×`height` (RGB). */
export function downscale(raster: Raster, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [y0, y1] = [
        Math.floor((y * raster.height) / height),
        Math.floor(((y + 1) * raster.height) / height),
      ]
      const [x0, x1] = [Math.floor((x * raster.width) / width), Math.floor(((x + 1) * raster.width) / width)]
      for (let c = 0; c < 3; c++) {
        let sum = 0
        for (let sy = y0; sy < y1; sy++) {
          for (let sx = x0; sx < x1; sx++)
            sum += raster.data[(sy * raster.width + sx) * raster.channels + c] as number
        }
        out[(y * width + x) * 3 + c] = Math.round(sum / ((y1 - y0) * (x1 - x0)))
      }
    }
  }
  return out
}

/** Mean absolute difference of two RGB pixel arrays of the same size, 0-255. */
export function meanDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error('different sizes')
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number))
  return sum / a.length
}
