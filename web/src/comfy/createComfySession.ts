import { configureStore } from '@reduxjs/toolkit'
import { eventRejected, invocationOutputReceived, type EventRejectedPayload } from '../../../src'
import {
  createComfyWorkflowExecution,
  imagesOf,
  randomPromptId,
  selectItemIdOfPrompt,
  selectPromptIdOfItem,
  viewUrl,
  type ComfyImageRef,
  type SubmitPromptResult,
} from '../../../src/comfyui'
import { createObservable } from '../session/observable'
import type { ServerTarget } from '../session/target'
import { createComfyApi } from './api'
import { stableClientId } from './clientId'
import { createPromptBook } from './promptBook'
import type { ApiPrompt } from './workflow'

/** How many images the gallery keeps (newest first), and rejected frames the page lists. */
const MAX_GALLERY_IMAGES = 200
const MAX_REJECTIONS = 50

export interface ComfyGalleryImage {
  /** One per image of each output the engine delivers: `promptId/preparedId/type/subfolder/filename`. */
  key: string
  itemId: number
  promptId: string | null
  nodeId: string
  image: ComfyImageRef
  /** `GET /view?…` of the page's server. */
  url: string
  via: string
}

/** What the ComfyUI socket says beyond connected / not (the engine keeps only the boolean). */
export interface ComfyLinkDetail {
  opens: number
  lastClose: string | null
}

export interface ComfyRejection extends EventRejectedPayload {
  seq: number
  receivedAt: string
}

/** What one submission came to: the item the engine made for it, and the server's answer. */
export type ComfySubmission = SubmitPromptResult & { itemId: number | undefined }

function storageOf(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage
  } catch {
    return null
  }
}

/**
 * One ComfyUI page session: the ComfyUI engine's store (the same `workflowExecution` state, so every
 * selector and hook of the InvokeAI page reads it), its `/ws` socket, the gallery fed by the engine's
 * exactly-once `invocationOutputReceived`, and the prompts this tab submitted (the graph the run panel
 * draws). The clientId is this tab's, kept across reloads.
 */
export function createComfySession(target: ServerTarget, options: { simulator: boolean }) {
  const storage = storageOf()
  const clientId = stableClientId(storage)
  const comfy = createComfyWorkflowExecution({
    baseUrl: target.baseUrl,
    clientId,
    ...(target.token ? { headers: { authorization: `Bearer ${target.token}` } } : {}),
  })
  const store = configureStore({
    reducer: { [comfy.reducerPath]: comfy.reducer },
    // The engine's state holds structures of its own (tries, lists): no dev checks walk it.
    middleware: (getDefaultMiddleware) =>
      getDefaultMiddleware({ immutableCheck: false, serializableCheck: false }).prepend(comfy.middleware),
    devTools: false,
  })
  const api = createComfyApi(target)
  const prompts = createPromptBook(storage)
  const gallery = createObservable<ComfyGalleryImage[]>([])
  const link = createObservable<ComfyLinkDetail>({ opens: 0, lastClose: null })
  const rejections = createObservable<ComfyRejection[]>([])

  // The gallery hangs on the exactly-once output action, never on the raw `executed` frame.
  comfy.startListening({
    actionCreator: invocationOutputReceived,
    effect: ({ payload }, listenerApi) => {
      const images = imagesOf(payload.output)
      if (images.length === 0) return
      const promptId = selectPromptIdOfItem(listenerApi.getState(), payload.itemId)
      const added = images.map((image): ComfyGalleryImage => ({
        key: `${promptId}/${payload.preparedId}/${image.type}/${image.subfolder}/${image.filename}`,
        itemId: payload.itemId,
        promptId,
        nodeId: payload.sourceNodeId ?? payload.preparedId,
        image,
        url: viewUrl(target.baseUrl, image),
        via: payload.via,
      }))
      gallery.update((list) => [...added.reverse(), ...list].slice(0, MAX_GALLERY_IMAGES))
    },
  })
  comfy.startListening({
    actionCreator: eventRejected,
    effect: (action) =>
      rejections.update((list) => [
        { ...action.payload, seq: (list[0]?.seq ?? 0) + 1, receivedAt: new Date().toLocaleTimeString() },
        ...list.slice(0, MAX_REJECTIONS - 1),
      ]),
  })

  const socket = comfy.connect(store.dispatch)
  socket.on('open', () => link.update((detail) => ({ ...detail, opens: detail.opens + 1 })))
  socket.on('close', ({ code, reason }) =>
    link.update((detail) => ({ ...detail, lastClose: reason ? `${code} ${reason}` : String(code) })),
  )

  return {
    target,
    simulator: options.simulator,
    clientId,
    api,
    store,
    gallery,
    link,
    rejections,
    prompts,
    /**
     * Queues `prompt`: its id is chosen here and the prompt kept before the request goes out, so the item
     * and its graph exist before any frame of it can arrive.
     */
    async submit(prompt: ApiPrompt): Promise<ComfySubmission> {
      const promptId = randomPromptId()
      prompts.remember(promptId, prompt)
      const result = await store.dispatch(comfy.submitPrompt({ prompt, promptId })).unwrap()
      const itemId = selectItemIdOfPrompt(store.getState(), promptId)
      return { ...result, itemId }
    },
    close() {
      socket.close()
      comfy.close()
    },
  }
}

export type ComfySession = ReturnType<typeof createComfySession>
