// The simulator's procedural pictures: a gradient sky, soft circles and a striped ground, all drawn
// from a seed. The scene lives in resolution-free coordinates, so one seed gives the same picture at
// any size: the full image, its thumbnail and the last progress preview agree. Previews of earlier
// steps are that picture blurred and mixed with smooth seeded noise, less of both with every step,
// the way a diffusion preview sharpens. Nothing here is random at run time: same inputs, same pixels.
import { createRandom, mixSeed } from './random'
import type { Random } from './random'
import type { Raster } from './png'

export interface PictureSpec {
  /** The generation seed (the latents' seed): it alone decides what is drawn. */
  seed: number
  width: number
  height: number
}

/** Largest side of a stored image: bigger requests are scaled down (aspect kept) to keep files small. */
export const MAX_IMAGE_SIDE = 512
/** Largest side of a thumbnail (InvokeAI's is 256 too); never larger than the image. */
export const THUMBNAIL_SIDE = 256
/** Largest side of a progress preview (a 512 px image gets 1/8, as InvokeAI's latent previews). */
export const PREVIEW_SIDE = 64

type Rgb = readonly [number, number, number]

interface Circle {
  x: number
  y: number
  r: number
  color: Rgb
  alpha: number
}

interface Scene {
  skyTop: Rgb
  skyBottom: Rgb
  ground: Rgb
  horizon: number
  waveAmplitude: number
  waveFrequency: number
  wavePhase: number
  stripeAngle: number
  stripeFrequency: number
  circles: Circle[]
}

/** `width`×`height` scaled down to fit in `side`×`side` (never up), each side at least 1 px. */
export function fitWithin(width: number, height: number, side: number) {
  const w = Math.max(1, Math.round(width))
  const h = Math.max(1, Math.round(height))
  const scale = Math.min(1, side / Math.max(w, h))
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) }
}

/** Any safe integer (negative, above 2^32) to a 32-bit PRNG seed, both halves mixed in. */
function seedKey(seed: number): number {
  const value = Number.isFinite(seed) ? Math.trunc(seed) : 0
  const high = Math.floor(value / 4294967296) | 0
  return mixSeed((value >>> 0) ^ mixSeed(high, 7), 0)
}

function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const h = (((hue % 360) + 360) % 360) / 60
  const c = (1 - Math.abs(2 * lightness - 1)) * saturation
  const x = c * (1 - Math.abs((h % 2) - 1))
  const m = lightness - c / 2
  const [r, g, b] =
    h < 1
      ? [c, x, 0]
      : h < 2
        ? [x, c, 0]
        : h < 3
          ? [0, c, x]
          : h < 4
            ? [0, x, c]
            : h < 5
              ? [x, 0, c]
              : [c, 0, x]
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255]
}

function sceneOf(seed: number): Scene {
  const random: Random = createRandom(seedKey(seed))
  const between = (low: number, high: number) => low + (high - low) * random()
  const hue = between(0, 360)
  const circleCount = 2 + Math.floor(random() * 4)
  return {
    skyTop: hsl(hue, between(0.4, 0.7), between(0.12, 0.3)),
    skyBottom: hsl(hue + between(30, 90), between(0.5, 0.8), between(0.55, 0.75)),
    ground: hsl(hue + 180 + between(-40, 40), between(0.3, 0.6), between(0.2, 0.4)),
    horizon: between(0.62, 0.8),
    waveAmplitude: between(0.01, 0.05),
    waveFrequency: between(1, 3),
    wavePhase: between(0, Math.PI * 2),
    stripeAngle: between(0, Math.PI),
    stripeFrequency: between(8, 16),
    circles: Array.from({ length: circleCount }, () => ({
      x: between(0.15, 0.85),
      y: between(0.15, 0.6),
      r: between(0.06, 0.22),
      color: hsl(hue + between(90, 270), between(0.55, 0.85), between(0.45, 0.7)),
      alpha: between(0.55, 0.9),
    })),
  }
}

/** 0 below `edge - soft`, 1 above `edge + soft`, smooth in between. */
const smoothstep = (edge: number, soft: number, value: number) => {
  const t = Math.min(1, Math.max(0, (value - edge + soft) / (2 * soft)))
  return t * t * (3 - 2 * t)
}

/** The picture of `seed` at `width`×`height`, RGB. */
export function renderPicture(seed: number, width: number, height: number): Raster {
  const scene = sceneOf(seed)
  const data = new Uint8Array(width * height * 3)
  // The square of side min(width, height) centred in the frame is the unit square: circles stay round.
  const side = Math.min(width, height)
  // Edges soft over a fixed share of the picture, and at least a pixel, so they look alike at every size.
  const soft = Math.max(0.004, 0.75 / side)
  const cosA = Math.cos(scene.stripeAngle)
  const sinA = Math.sin(scene.stripeAngle)
  const { skyTop, skyBottom, ground, circles } = scene
  // What depends on the column only: its x and where the wavy horizon crosses it.
  const xs = Float64Array.from({ length: width }, (_, px) => (px + 0.5 - width / 2) / side + 0.5)
  const horizons = xs.map(
    (x) =>
      scene.horizon + scene.waveAmplitude * Math.sin(scene.waveFrequency * Math.PI * 2 * x + scene.wavePhase),
  )
  const reach = circles.map((circle) => (circle.r + soft) ** 2)
  for (let py = 0; py < height; py++) {
    const y = (py + 0.5 - height / 2) / side + 0.5
    const sky = Math.min(1, Math.max(0, y / scene.horizon))
    const skyR = skyTop[0] + (skyBottom[0] - skyTop[0]) * sky
    const skyG = skyTop[1] + (skyBottom[1] - skyTop[1]) * sky
    const skyB = skyTop[2] + (skyBottom[2] - skyTop[2]) * sky
    for (let px = 0; px < width; px++) {
      const x = xs[px] as number
      let r = skyR
      let g = skyG
      let b = skyB
      for (let k = 0; k < circles.length; k++) {
        const circle = circles[k] as Circle
        const dx = x - circle.x
        const dy = y - circle.y
        const squared = dx * dx + dy * dy
        if (squared >= (reach[k] as number)) continue
        const distance = Math.sqrt(squared)
        const cover = (1 - smoothstep(circle.r, soft, distance)) * circle.alpha
        // A little lighter towards the upper left: a hint of volume.
        const shade = 1 - (0.25 * (1 - distance / circle.r) * (dx + dy)) / circle.r
        r += (circle.color[0] * shade - r) * cover
        g += (circle.color[1] * shade - g) * cover
        b += (circle.color[2] * shade - b) * cover
      }
      const horizon = horizons[px] as number
      if (y > horizon - soft) {
        const groundCover = smoothstep(horizon, soft, y)
        const stripes = 1 + 0.12 * Math.sin(scene.stripeFrequency * Math.PI * 2 * (x * cosA + y * sinA))
        const tone = stripes * (0.8 + 0.4 * (y - horizon))
        r += (ground[0] * tone - r) * groundCover
        g += (ground[1] * tone - g) * groundCover
        b += (ground[2] * tone - b) * groundCover
      }
      const at = (py * width + px) * 3
      data[at] = clampByte(r)
      data[at + 1] = clampByte(g)
      data[at + 2] = clampByte(b)
    }
  }
  return { width, height, channels: 3, data }
}

const clampByte = (value: number) => Math.min(255, Math.max(0, Math.round(value)))

/** One box-blur pass along rows (`step` 1) or columns (`step` width): a running sum, edges clamped. */
function blurPass(
  source: Uint8Array,
  out: Uint8Array,
  lines: number,
  length: number,
  pitch: number,
  step: number,
  radius: number,
) {
  const span = 2 * radius + 1
  for (let line = 0; line < lines; line++) {
    const start = line * pitch
    for (let c = 0; c < 3; c++) {
      const first = start + c
      const last = first + (length - 1) * step
      let sum = 0
      for (let k = -radius; k <= radius; k++)
        sum += source[Math.min(last, Math.max(first, first + k * step))] as number
      for (let i = 0; i < length; i++) {
        out[first + i * step] = Math.round(sum / span)
        const entering = Math.min(last, first + (i + radius + 1) * step)
        const leaving = Math.max(first, first + (i - radius) * step)
        sum += (source[entering] as number) - (source[leaving] as number)
      }
    }
  }
}

/** A separable box blur of `radius` pixels (RGB), edges clamped. */
function boxBlur(raster: Raster, radius: number): Raster {
  if (radius < 1) return raster
  const { width, height } = raster
  const across = new Uint8Array(raster.data.length)
  const down = new Uint8Array(raster.data.length)
  blurPass(raster.data, across, height, width, width * 3, 3, radius)
  blurPass(across, down, width, height, 3, width * 3, radius)
  return { ...raster, data: down }
}

/** Smooth seeded colour noise (a coarse grid of colours, bilinear): the "latent noise" of a preview. */
function noiseField(seed: number, width: number, height: number): Uint8Array {
  const random = createRandom(mixSeed(seedKey(seed), 1))
  const grid = 5
  const cells = Float64Array.from({ length: grid * grid * 3 }, () => 40 + random() * 175)
  const data = new Uint8Array(width * height * 3)
  for (let py = 0; py < height; py++) {
    const gy = (py / Math.max(1, height - 1)) * (grid - 1)
    const y0 = Math.min(grid - 2, Math.floor(gy))
    const fy = gy - y0
    for (let px = 0; px < width; px++) {
      const gx = (px / Math.max(1, width - 1)) * (grid - 1)
      const x0 = Math.min(grid - 2, Math.floor(gx))
      const fx = gx - x0
      const topLeft = (y0 * grid + x0) * 3
      const bottomLeft = topLeft + grid * 3
      for (let c = 0; c < 3; c++) {
        const a = cells[topLeft + c] as number
        const b = cells[topLeft + 3 + c] as number
        const d = cells[bottomLeft + c] as number
        const e = cells[bottomLeft + 3 + c] as number
        const top = a + (b - a) * fx
        const bottom = d + (e - d) * fx
        data[(py * width + px) * 3 + c] = Math.round(top + (bottom - top) * fy)
      }
    }
  }
  return data
}

/**
 * The previews of the picture `spec`, at most PREVIEW_SIDE px: `frame(step, total)` (1-based) is blurred
 * and noisy early and the picture itself at the last step. The picture and its noise are drawn once, on
 * the first frame, so a node's later steps only blur and mix.
 */
export function previewFrames(spec: PictureSpec): (step: number, total: number) => Raster {
  const { width, height } = fitWithin(spec.width, spec.height, PREVIEW_SIDE)
  const drawn = { picture: null as Raster | null, noise: null as Uint8Array | null }
  return (step, total) => {
    drawn.picture ??= renderPicture(spec.seed, width, height)
    drawn.noise ??= noiseField(spec.seed, width, height)
    const noise = drawn.noise
    const left = 1 - Math.min(1, Math.max(0, step / Math.max(1, total)))
    const sharp = boxBlur(drawn.picture, Math.round(6 * left)).data
    const mix = 0.85 * left
    const data = new Uint8Array(sharp.length)
    for (let i = 0; i < data.length; i++) {
      data[i] = Math.round((sharp[i] as number) + ((noise[i] as number) - (sharp[i] as number)) * mix)
    }
    return { width, height, channels: 3, data }
  }
}
