import { useEffect, useState } from 'react'

export type Polled<T> = { value: T | null; error: string | null }

/** Calls `load` now and every `intervalMs`, keeping the last value and the last error as text. */
export function usePolled<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number): Polled<T> {
  const [polled, setPolled] = useState<Polled<T>>({ value: null, error: null })
  useEffect(() => {
    const controller = new AbortController()
    const tick = () =>
      load(controller.signal).then(
        (value) => setPolled({ value, error: null }),
        (error: unknown) => {
          if (controller.signal.aborted) return
          setPolled((last) => ({
            value: last.value,
            error: error instanceof Error ? error.message : String(error),
          }))
        },
      )
    void tick()
    const timer = setInterval(tick, intervalMs)
    return () => {
      clearInterval(timer)
      controller.abort()
    }
  }, [load, intervalMs])
  return polled
}
