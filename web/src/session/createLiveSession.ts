import { io } from 'socket.io-client'
import {
  createExecutionStore,
  currentUserChanged,
  eventRejected,
  invocationOutputReceived,
  selectQueueItemExecution,
  type EventRejectedPayload,
} from '../../../src'
import { createServerApi } from './api'
import { attachNaiveClient } from '../naive/attachNaiveClient'
import { attachTimeline } from '../timeline/attachTimeline'
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
  /** The run that made it: after a wiped-database restart, the same item id names another run. */
  sessionId: string | null
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

/** Who the page acts as: the token its socket and REST calls carry (null: none); userId null = not known. */
export interface PageUser {
  userId: string | null
  token: string | null
}

/** How many recent items a (re)connect asks the server for: a reload shows this much history. */
const HYDRATED_RECENT_ITEMS = 50

/**
 * One live page session: the engine's store, a socket.io connection bound to it, the REST client, and
 * what the page shows that the engine's state does not keep (rejected payloads, socket.io's reasons).
 */
export function createLiveSession(target: ServerTarget) {
  const user = createObservable<PageUser>({ userId: null, token: target.token })
  const api = createServerApi(target, 'default', () => user.get().token)
  const store = createExecutionStore({
    baseUrl: target.baseUrl,
    // The page's REST client fetches items and hydrates (same 404 → gone contract), so every request
    // carries the token of the moment: a user switch changes it.
    fetchQueueItem: api.fetchQueueItem,
    fetchQueueSnapshot: api.fetchQueueSnapshot,
    hydrate: { recentItems: HYDRATED_RECENT_ITEMS },
  })
  const socketOptions = {
    path: target.socketPath,
    // Read at every (re)connect, so a user switch reconnects with the new token.
    auth: (send: (auth: object) => void) => {
      const { token } = user.get()
      send(token ? { token } : {})
    },
  }
  const socket = target.socketOrigin ? io(target.socketOrigin, socketOptions) : io(socketOptions)
  const rejections = createObservable<RejectedPayload[]>([])
  const link = createObservable<LinkDetail>({ lastError: null, lastDisconnectReason: null, connects: 0 })
  const gallery = createObservable<GalleryImage[]>([])

  // The gallery hangs on the exactly-once output action, never on the raw invocation_complete.
  store.startListening({
    actionCreator: invocationOutputReceived,
    effect: ({ payload }, listenerApi) => {
      const imageName = imageNameOf(payload.output)
      if (imageName === null) return
      const sessionId = selectQueueItemExecution(listenerApi.getState(), payload.itemId)?.sessionId ?? null
      const image = {
        key: `${payload.itemId}/${sessionId}/${payload.preparedId}`,
        itemId: payload.itemId,
        sessionId,
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
  // Beside the engine, on its own socket and store: the naive client it is compared with, and the timeline.
  const naive = attachNaiveClient(socket, {
    maxItems: store.getState().workflowExecution.config.maxItems,
    maxImages: MAX_GALLERY_IMAGES,
  })
  const timeline = attachTimeline(store)
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
    naive: naive.state,
    timeline: timeline.state,
    user,
    /** Names the user the page already acts as (its token unchanged): the engine knows whose runs are whose. */
    identify(userId: string) {
      if (user.get().userId === userId) return
      user.update((current) => ({ ...current, userId }))
      store.dispatch(currentUserChanged({ userId }))
    },
    /**
     * Acts as another user: the engine forgets the previous user's runs (they must not stay on screen), and
     * the socket reconnects with the new token, so the engine hydrates again with what this user may see.
     */
    switchUser(next: PageUser) {
      user.set(next)
      // Disconnected first: the reset then waits for the connect to hydrate, with the new token.
      socket.disconnect()
      store.dispatch(currentUserChanged({ userId: next.userId, reset: true }))
      gallery.set([])
      naive.reset()
      socket.connect()
    },
    close() {
      naive.detach()
      timeline.detach()
      unbind()
      socket.close()
      store.close()
    },
  }
}

export type LiveSession = ReturnType<typeof createLiveSession>
