/** Something that can be aborted: the promise a dispatched thunk returns. */
interface Abortable {
  abort(reason?: string): void
}

/**
 * In-flight reconciliations, by item and request id. Lives in the closure of one
 * `addWorkflowExecutionListeners` call: promises never enter the store.
 */
export function createInFlightRegistry() {
  const byItem = new Map<number, Map<string, Abortable>>()
  return {
    add(itemId: number, requestId: string, request: Abortable) {
      const requests = byItem.get(itemId) ?? new Map<string, Abortable>()
      requests.set(requestId, request)
      byItem.set(itemId, requests)
    },
    remove(itemId: number, requestId: string) {
      const requests = byItem.get(itemId)
      requests?.delete(requestId)
      if (requests?.size === 0) byItem.delete(itemId)
    },
    /** Aborts every request of the item but `keep`. */
    abortItem(itemId: number, reason: string, keep?: string) {
      for (const [requestId, request] of byItem.get(itemId) ?? []) {
        if (requestId !== keep) request.abort(reason)
      }
    },
    abortAll(reason: string) {
      for (const requests of byItem.values()) for (const request of requests.values()) request.abort(reason)
    },
    itemIds(): number[] {
      return [...byItem.keys()]
    },
    size(): number {
      let count = 0
      for (const requests of byItem.values()) count += requests.size
      return count
    },
  }
}

export type InFlightRegistry = ReturnType<typeof createInFlightRegistry>
