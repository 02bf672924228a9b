// The files behind `/view`: what SaveImage (type output) and PreviewImage (type temp) produced, by
// (type, subfolder, filename). A file is kept as its picture's recipe; its PNG is drawn (with sim's
// deterministic picture and encoder) on first request, and only the most recent PNGs stay in memory.
import { fitWithin, MAX_IMAGE_SIDE, renderPicture } from '../picture'
import type { PictureSpec } from '../picture'
import { encodePng } from '../png'
import { createRandom, hashString } from '../random'
import type { ImageRef } from './types'

/** Recipes kept (tiny), and drawn PNGs kept (up to ~90 KB each). */
const MAX_FILES = 10000
const MAX_DRAWN = 32

const keyOf = (type: string, subfolder: string, filename: string) => `${type}\0${subfolder}\0${filename}`

/** One path segment of safe characters: a prefix never names a folder or escapes one. */
const safePrefix = (prefix: string) => prefix.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'ComfyUI'

export type ComfyImageStore = ReturnType<typeof createComfyImageStore>

export function createComfyImageStore(seed: number) {
  const recipes = new Map<string, PictureSpec>()
  const drawn = new Map<string, Buffer>()
  const counters = new Map<string, number>()
  // Like core's PreviewImage: temp files carry a random 5-letter suffix (seeded here, per server).
  const random = createRandom(hashString(`temp:${seed}`))
  const tempSuffix = Array.from({ length: 5 }, () =>
    String.fromCharCode(97 + Math.floor(random() * 26)),
  ).join('')

  return {
    /** `ComfyUI_00001_.png`, `ComfyUI_00002_.png`, … per prefix, as core numbers its files. */
    save(type: ImageRef['type'], prefix: string, pictures: PictureSpec[]): ImageRef[] {
      const base = type === 'temp' ? `${safePrefix(prefix)}_${tempSuffix}` : safePrefix(prefix)
      return pictures.map((picture) => {
        const counter = (counters.get(`${type}:${base}`) ?? 0) + 1
        counters.set(`${type}:${base}`, counter)
        const filename = `${base}_${String(counter).padStart(5, '0')}_.png`
        recipes.set(keyOf(type, '', filename), picture)
        for (const oldest of recipes.keys()) {
          if (recipes.size <= MAX_FILES) break
          recipes.delete(oldest)
          drawn.delete(oldest)
        }
        return { filename, subfolder: '', type }
      })
    },

    /** The PNG, or undefined when no such file was produced. */
    png(type: string, subfolder: string, filename: string): Buffer | undefined {
      const key = keyOf(type, subfolder, filename)
      const picture = recipes.get(key)
      if (!picture) return undefined
      const cached = drawn.get(key)
      if (cached) return cached
      const size = fitWithin(picture.width, picture.height, MAX_IMAGE_SIDE)
      const png = encodePng(renderPicture(picture.seed, size.width, size.height))
      drawn.set(key, png)
      for (const oldest of drawn.keys()) {
        if (drawn.size <= MAX_DRAWN) break
        drawn.delete(oldest)
      }
      return png
    },
  }
}
