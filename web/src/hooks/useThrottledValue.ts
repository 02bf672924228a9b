import { useEffect, useRef, useState } from 'react'

/**
 * `value`, changing at most once per `intervalMs`: the first change shows at once, a burst of changes
 * shows its last value when the interval is over. For what is costly to re-render on every change (the
 * run panel mounts a whole graph per item, and a flood of new runs changes the live item hundreds of
 * times a second).
 */
export function useThrottledValue<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value)
  const lastShownAt = useRef(Number.NEGATIVE_INFINITY)
  useEffect(() => {
    if (Object.is(value, shown)) return
    const wait = lastShownAt.current + intervalMs - performance.now()
    const show = () => {
      lastShownAt.current = performance.now()
      setShown(value)
    }
    if (wait <= 0) return show()
    const timer = setTimeout(show, wait)
    return () => clearTimeout(timer)
  }, [value, shown, intervalMs])
  return shown
}
