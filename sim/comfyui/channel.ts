// Where one run's frames go (docs/comfyui.md §3.2): most only to the prompt's client, some to everyone
// when the prompt has no client_id. The delivery modes that lose the client's frames act here: a
// seeded chaos drop, and dropAfterStart (the socket is cut after N frames; the run goes on unheard).
import type { Frame } from './frames'
import type { Hub } from './hub'
import type { ComfyDeliveryOptions } from './types'

export interface RunChannel {
  /** To the prompt's client only; nobody hears it when the prompt has no client_id. */
  toClient(frame: Frame): void
  /** To the prompt's client, or to every socket when the prompt has no client_id. */
  toClientOrAll(frame: Frame): void
  /** Whether previews go as type 4 (the client negotiated supports_preview_metadata) or type 1. */
  wantsMetadata(): boolean
}

export interface ChannelDeps {
  hub: Hub
  clientId: string | null
  delivery(): ComfyDeliveryOptions
  /** One chaos draw: true drops this frame. */
  chaosDrops(): boolean
}

export function createRunChannel(deps: ChannelDeps): RunChannel {
  const { hub, clientId } = deps
  const state = { sent: 0, cut: false }

  const toClient = (frame: Frame) => {
    if (clientId === null || deps.chaosDrops()) return
    if (!hub.send(clientId, frame)) return
    state.sent += 1
    const limit = deps.delivery().dropAfterStart
    // Once per run: the client reconnects and hears the rest.
    if (limit !== null && !state.cut && state.sent >= limit) {
      state.cut = true
      hub.drop(clientId)
    }
  }

  return {
    toClient,
    toClientOrAll(frame) {
      if (clientId === null) hub.broadcast(frame)
      else toClient(frame)
    },
    wantsMetadata: () => clientId !== null && hub.supportsPreviewMetadata(clientId),
  }
}
