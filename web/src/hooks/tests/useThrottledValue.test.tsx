// @vitest-environment jsdom
import { act, cleanup, renderHook } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useThrottledValue } from '../useThrottledValue'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

describe('useThrottledValue', () => {
  it('shows the first change at once and the last of a burst when the interval is over', () => {
    vi.useFakeTimers()
    const { result, rerender } = renderHook(({ value }) => useThrottledValue(value, 250), {
      initialProps: { value: 1 },
    })
    rerender({ value: 2 })
    expect(result.current).toBe(2)
    for (let value = 3; value <= 200; value += 1) rerender({ value })
    expect(result.current).toBe(2)
    act(() => vi.advanceTimersByTime(250))
    expect(result.current).toBe(200)
  })
})
