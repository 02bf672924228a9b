import type { Dispatch } from '@reduxjs/toolkit'
import {
  eventRejected,
  socketConnected,
  socketDisconnected,
} from '../../features/workflowExecution/slice/actions'
import { frameReceived, previewReceived } from '../slice/actions'
import type { BinaryFrame } from '../wire/binary'
import type { ComfySocket } from './types'

/** Bytes as base64, in chunks (a spread of a large preview would overflow the argument stack). */
function base64Of(bytes: Uint8Array): string {
  let binary = ''
  for (let at = 0; at < bytes.length; at += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000))
  return btoa(binary)
}

/**
 * Binds a ComfyUI socket to a store: every validated frame becomes `frameReceived` (marked, so the reducer
 * does not parse it again), previews `previewReceived`, rejections `eventRejected`, and opens and closes
 * the engine's connection actions. A type-1 preview names no prompt or node: it is the node that last
 * reported `progress`, as the server sends it right after. Returns the function that unbinds.
 */
export function bindComfySocket(socket: ComfySocket, dispatch: Dispatch, validatedMark: symbol): () => void {
  let lastProgress: { promptId: string; nodeId: string } | null = null
  const onBinary = (frame: BinaryFrame) => {
    if (frame.kind !== 'preview') return
    const { metadata } = frame
    const promptId = metadata?.promptId ?? lastProgress?.promptId
    const nodeId = metadata?.realNodeId ?? metadata?.nodeId ?? lastProgress?.nodeId
    if (!promptId || !nodeId) return
    dispatch(
      previewReceived({
        promptId,
        nodeId,
        displayNodeId: metadata?.displayNodeId ?? null,
        dataURL: `data:${frame.mimeType};base64,${base64Of(frame.image)}`,
      }),
    )
  }
  const unbinders = [
    socket.on('open', () => dispatch(socketConnected())),
    socket.on('close', (info) => dispatch(socketDisconnected(info.reason || `closed (${info.code})`))),
    socket.on('frame', (frame) => {
      if (frame.type === 'progress' && frame.data.prompt_id && frame.data.node)
        lastProgress = { promptId: frame.data.prompt_id, nodeId: frame.data.node }
      dispatch({ ...frameReceived(frame), [validatedMark]: true })
    }),
    socket.on('binary', onBinary),
    socket.on('rejected', (rejection) =>
      dispatch(
        eventRejected({
          event: rejection.type ?? '(frame)',
          issues: rejection.issues.slice(0, 10),
          preview: rejection.preview,
        }),
      ),
    ),
  ]
  return () => {
    for (const unbind of unbinders) unbind()
  }
}
