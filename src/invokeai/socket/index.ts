import type { Dispatch } from '@reduxjs/toolkit'
import {
  eventRejected,
  socketConnected,
  socketDisconnected,
} from '../../features/workflowExecution/slice/actions'
import { socketEventActions } from '../slice/actions'
import { socketEventSchemas, validateSocketEvent } from '../wire'
import type { SocketEventName } from '../wire/types'
import { boundedJsonPreview } from './preview'
import type { BindSocketOptions, SocketLike, SocketListener } from './types'

export type * from './types'

/**
 * Binds a socket.io-client socket to the store: subscribes to the queue on every connect (reconnects
 * too: the server forgets rooms), validates every payload and dispatches its action, or `eventRejected`
 * when it fails its schema. Returns the function that unbinds.
 */
export function bindSocket(
  socket: SocketLike,
  dispatch: Dispatch,
  options: BindSocketOptions = {},
): () => void {
  const queueId = options.queueId ?? 'default'
  const maxPreviewChars = options.maxPreviewChars ?? 512
  const handlers: [string, SocketListener][] = []

  const onConnect = () => {
    socket.emit('subscribe_queue', { queue_id: queueId })
    dispatch(socketConnected())
  }
  const onDisconnect = (reason?: unknown) => {
    dispatch(socketDisconnected(typeof reason === 'string' ? reason : undefined))
  }
  handlers.push(['connect', onConnect], ['disconnect', onDisconnect])

  for (const event of Object.keys(socketEventSchemas) as SocketEventName[]) {
    const onEvent = (payload: unknown) => {
      const checked = validateSocketEvent(event, payload)
      if (checked.ok) {
        const action = socketEventActions[event](checked.value as never)
        if (options.validatedMark) (action as unknown as Record<symbol, true>)[options.validatedMark] = true
        dispatch(action)
      } else
        dispatch(
          eventRejected({
            event,
            issues: checked.issues,
            preview: boundedJsonPreview(payload, maxPreviewChars),
          }),
        )
    }
    handlers.push([event, onEvent])
  }

  for (const [event, handler] of handlers) socket.on(event, handler)
  if (socket.connected) onConnect()

  return () => {
    for (const [event, handler] of handlers) socket.off(event, handler)
  }
}
