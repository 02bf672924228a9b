export { createMockSocket, type MockSocket } from './mockSocket'
export {
  createQueueItemServer,
  type QueueItemServer,
  type QueueItemServerOptions,
  type QueueItemResponse,
  type QueueItemRequestLog,
} from './queueItemHandlers'
