/** Something that can be aborted: a running thunk's own `abort`. */
interface Abortable {
  abort(reason?: string): void
}

/**
 * In-flight reconciliations, by request id and by item. Lives in the closure of one
 * `createWorkflowExecution` call: abort handles never enter the store.
 */
export function createInFlightRegistry() {
  const requests = new Map<string, { itemId: number; request: Abortable }>()
  const byItem = new Map<number, Set<string>>()
  const abort = (requestId: string, reason: string) => {
    const entry = requests.get(requestId)
    if (!entry) return
    // Forget it first: aborting dispatches `rejected`, which removes it again.
    remove(requestId)
    entry.request.abort(reason)
  }
  const remove = (requestId: string) => {
    const entry = requests.get(requestId)
    if (!entry) return
    requests.delete(requestId)
    const ids = byItem.get(entry.itemId)
    ids?.delete(requestId)
    if (ids?.size === 0) byItem.delete(entry.itemId)
  }
  return {
    add(itemId: number, requestId: string, request: Abortable) {
      requests.set(requestId, { itemId, request })
      byItem.set(itemId, (byItem.get(itemId) ?? new Set()).add(requestId))
    },
    remove,
    /** Aborts every request of the item but `keep`. */
    abortItem(itemId: number, reason: string, keep?: string) {
      for (const requestId of [...(byItem.get(itemId) ?? [])])
        if (requestId !== keep) abort(requestId, reason)
    },
    abortAll(reason: string) {
      for (const requestId of [...requests.keys()]) abort(requestId, reason)
    },
    itemIds(): number[] {
      return [...byItem.keys()]
    },
    size(): number {
      return requests.size
    },
  }
}

export type InFlightRegistry = ReturnType<typeof createInFlightRegistry>
