import { io } from 'socket.io-client'
import {
  createExecutionStore,
  eventRejected,
  invocationOutputReceived,
  type EventRejectedPayload,
} from '../../../src'
import { createServerApi } from './api'
import { createObservable } from './observable'
import type { ServerTarget } from './target'

/** How many rejected payloads the decisions panel keeps. */
const MAX_REJECTIONS = 50

export interface RejectedPayload extends EventRejectedPayload {
  /** Arrival order, as a stable React key. */
  seq: number
  receivedAt: string
}

/** How many images the gallery keeps (newest first). */
const MAX_GALLERY_IMAGES = 200

export interface GalleryImage {
  /** `${itemId}/${preparedId}`: one per output, as the engine delivers each once. */
  key: string
  itemId: number
  imageName: string
  via: string
}

function imageNameOf(output: unknown): string | null {
  const image = typeof output === 'object' && output !== null ? (output as { image?: unknown }).image : null
  const name =
    typeof image === 'object' && image !== null ? (image as { image_name?: unknown }).image_name : null
  return typeof name === 'string' && name !== '' ? name : null
}

/** What socket.io says about the link beyond connected / not (the engine keeps only the boolean). */
export interface LinkDetail {
  lastError: string | null
  lastDisconnectReason: string | null
  connects: number
}

/**
 * One live page session: the engine's store, a socket.io connection bound to it, the REST client, and
 * what the page shows that the engine's state does not keep (rejected payloads, socket.io's reasons).
 */
export function createLiveSession(target: ServerTarget) {
  const api = createServerApi(target)
  const store = createExecutionStore({
    baseUrl: target.baseUrl,
    // With a token, the page's REST client fetches the item (same 404 → gone contract) so every request
    // carries the same auth.
    ...(target.token ? { fetchQueueItem: api.fetchQueueItem } : {}),
  })
  const socketOptions = {
    path: target.socketPath,
    ...(target.token ? { auth: { token: target.token } } : {}),
  }
  const socket = target.socketOrigin ? io(target.socketOrigin, socketOptions) : io(socketOptions)
  const rejections = createObservable<RejectedPayload[]>([])
  const link = createObservable<LinkDetail>({ lastError: null, lastDisconnectReason: null, connects: 0 })
  const gallery = createObservable<GalleryImage[]>([])

  // The gallery hangs on the exactly-once output action, never on the raw invocation_complete.
  store.startListening({
    actionCreator: invocationOutputReceived,
    effect: ({ payload }) => {
      const imageName = imageNameOf(payload.output)
      if (imageName === null) return
      const image = {
        key: `${payload.itemId}/${payload.preparedId}`,
        itemId: payload.itemId,
        imageName,
        via: payload.via,
      }
      gallery.update((list) => [image, ...list.slice(0, MAX_GALLERY_IMAGES - 1)])
    },
  })

  // eventRejected changes no state: the page keeps what was rejected with a listener of its own.
  store.startListening({
    actionCreator: eventRejected,
    effect: (action) =>
      rejections.update((list) => [
        { ...action.payload, seq: (list[0]?.seq ?? 0) + 1, receivedAt: new Date().toLocaleTimeString() },
        ...list.slice(0, MAX_REJECTIONS - 1),
      ]),
  })
  const unbind = store.bindSocket(socket)

  socket.on('connect', () => link.update((d) => ({ ...d, lastError: null, connects: d.connects + 1 })))
  socket.on('disconnect', (reason) => link.update((d) => ({ ...d, lastDisconnectReason: reason })))
  socket.on('connect_error', (error) => link.update((d) => ({ ...d, lastError: error.message })))

  return {
    target,
    api,
    store,
    rejections,
    link,
    gallery,
    close() {
      unbind()
      socket.close()
      store.close()
    },
  }
}

export type LiveSession = ReturnType<typeof createLiveSession>
