// Every timer of one simulator goes through here, so close() can clear them all and the process exits.

export interface Timers {
  after(ms: number, fn: () => void): NodeJS.Timeout
  cancel(handle: NodeJS.Timeout | null | undefined): void
  /** Resolves after `ms`; rejects with the signal's reason when one of `signals` aborts first. */
  sleep(ms: number, ...signals: AbortSignal[]): Promise<void>
  clearAll(): void
}

export function createTimers(): Timers {
  const handles = new Set<NodeJS.Timeout>()
  const stoppers = new Set<() => void>()

  const after = (ms: number, fn: () => void) => {
    const handle = setTimeout(() => {
      handles.delete(handle)
      fn()
    }, ms)
    handles.add(handle)
    return handle
  }

  const cancel = (handle: NodeJS.Timeout | null | undefined) => {
    if (!handle) return
    clearTimeout(handle)
    handles.delete(handle)
  }

  const sleep = (ms: number, ...signals: AbortSignal[]) =>
    new Promise<void>((resolve, reject) => {
      const aborted = signals.find((s) => s.aborted)
      if (aborted) return reject(aborted.reason)
      const stop = (reason: unknown) => {
        cancel(handle)
        cleanup()
        reject(reason)
      }
      const listeners = signals.map((signal) => {
        const listener = () => stop(signal.reason)
        signal.addEventListener('abort', listener, { once: true })
        return () => signal.removeEventListener('abort', listener)
      })
      const cleanup = () => {
        listeners.forEach((remove) => remove())
        stoppers.delete(kill)
      }
      // clearAll() must settle pending sleeps too, or their awaiting runs would hang forever.
      const kill = () => stop(new Error('simulator closed'))
      stoppers.add(kill)
      const handle = after(ms, () => {
        cleanup()
        resolve()
      })
    })

  const clearAll = () => {
    for (const handle of handles) clearTimeout(handle)
    handles.clear()
    for (const kill of [...stoppers]) kill()
  }

  return { after, cancel, sleep, clearAll }
}
