// @vitest-environment jsdom
import { act, cleanup, renderHook } from '@testing-library/react'
import type { UIEvent } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { useWindowedList, type WindowedListOptions } from '../useWindowedList'

afterEach(cleanup)

const scrollTo = (scrollTop: number) => ({ currentTarget: { scrollTop } }) as unknown as UIEvent<HTMLElement>

describe('useWindowedList: only the rows in view are rendered', () => {
  it('renders the first rows at the top, whatever the count', () => {
    const { result } = renderHook(() =>
      useWindowedList({ count: 100_000, rowHeight: 30, maxHeight: 300, overscan: 2 }),
    )
    expect([result.current.start, result.current.end]).toEqual([0, 12])
    expect(result.current.viewportStyle.height).toBe(300)
    expect(result.current.contentStyle.height).toBe(3_000_000)
  })

  it('follows the scroll, and shrinks with a short list', () => {
    const { result, rerender } = renderHook((options: WindowedListOptions) => useWindowedList(options), {
      initialProps: { count: 1_000, rowHeight: 30, maxHeight: 300, overscan: 2 },
    })
    act(() => result.current.onScroll(scrollTo(3_000)))
    expect([result.current.start, result.current.end]).toEqual([98, 112])
    expect(result.current.rowsStyle.top).toBe(98 * 30)

    // The list shrank under the scroll position: the window is clamped to the rows there are.
    rerender({ count: 3, rowHeight: 30, maxHeight: 300, overscan: 2 })
    expect([result.current.start, result.current.end]).toEqual([0, 3])
    expect(result.current.viewportStyle.height).toBe(90)
  })
})
