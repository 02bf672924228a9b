// The image store: what image nodes produced, by image name, in memory and bounded (the oldest go
// first). A record keeps its picture's recipe (seed and size); the PNG file and its thumbnail are drawn
// on first request and kept, so runs stay light and a page that never asks for them costs nothing. The
// files are deterministic: the same seed and size always give the same bytes.
import { formatDate } from './payloads'
import { fitWithin, renderPicture, THUMBNAIL_SIDE } from './picture'
import type { PictureSpec } from './picture'
import { encodePng } from './png'
import { uuid } from './random'
import type { JsonObject } from './types'

/** How many images are kept by default (each at most 512 px a side: ~50-90 KB with its thumbnail). */
export const DEFAULT_MAX_IMAGES = 100

/** `{uuid}.png`-like names only: one path segment, no dots but the extension, nothing to escape. */
const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}\.png$/

export const isImageName = (name: string) => IMAGE_NAME.test(name)

export interface NewImage {
  picture: PictureSpec
  sessionId: string
  /** The prepared (execution graph) node id, as the server records it. */
  nodeId: string
  isIntermediate: boolean
}

interface Entry {
  picture: PictureSpec
  /** ImageRecord fields (InvokeAI's ImageDTO without its URLs). */
  record: JsonObject
  full: Buffer | null
  thumbnail: Buffer | null
}

export type ImageStore = ReturnType<typeof createImageStore>

export function createImageStore(maxImages: number = DEFAULT_MAX_IMAGES) {
  if (!Number.isSafeInteger(maxImages) || maxImages < 1) {
    throw new Error(`maxImages must be a positive integer, not ${maxImages}`)
  }
  // Insertion order is age: the first key is the oldest image.
  const entries = new Map<string, Entry>()

  return {
    /** Records a new image and returns its name; the oldest image goes once there are too many. */
    add(image: NewImage): string {
      const name = `${uuid()}.png`
      const now = formatDate()
      entries.set(name, {
        picture: image.picture,
        record: {
          image_name: name,
          image_origin: 'internal',
          image_category: 'general',
          width: image.picture.width,
          height: image.picture.height,
          created_at: now,
          updated_at: now,
          is_intermediate: image.isIntermediate,
          session_id: image.sessionId,
          node_id: image.nodeId,
          starred: false,
          has_workflow: false,
        },
        full: null,
        thumbnail: null,
      })
      for (const oldest of entries.keys()) {
        if (entries.size <= maxImages) break
        entries.delete(oldest)
      }
      return name
    },

    has: (name: string) => entries.has(name),

    /** The ImageDTO (InvokeAI's shape, null fields left out as REST does), or undefined. */
    dto(name: string): JsonObject | undefined {
      const entry = entries.get(name)
      if (!entry) return undefined
      // Relative, as InvokeAI's url service makes them: a client puts its own base URL in front.
      const url = `api/v1/images/i/${encodeURIComponent(name)}`
      return { ...entry.record, image_url: `${url}/full`, thumbnail_url: `${url}/thumbnail` }
    },

    /** The PNG file, `width`×`height` as announced. */
    full(name: string): Buffer | undefined {
      const entry = entries.get(name)
      if (!entry) return undefined
      const { seed, width, height } = entry.picture
      entry.full ??= encodePng(renderPicture(seed, width, height))
      return entry.full
    },

    /** The picture at most THUMBNAIL_SIDE px a side (a PNG; InvokeAI serves webp). */
    thumbnail(name: string): Buffer | undefined {
      const entry = entries.get(name)
      if (!entry) return undefined
      const { seed, width, height } = entry.picture
      const size = fitWithin(width, height, THUMBNAIL_SIDE)
      entry.thumbnail ??= encodePng(renderPicture(seed, size.width, size.height))
      return entry.thumbnail
    },

    size: () => entries.size,

    /** A wiped database: every image is gone. */
    reset() {
      entries.clear()
    },
  }
}
