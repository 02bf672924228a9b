import { useCallback, useState, type CSSProperties, type UIEvent } from 'react'

export interface WindowedListOptions {
  count: number
  /** Every row is this tall (px): the window is computed, never measured. */
  rowHeight: number
  /** The viewport's height (px) once the rows fill it; fewer rows make it shorter. */
  maxHeight: number
  /** Rows rendered above and below the visible ones, so a short scroll shows no gap. */
  overscan?: number
}

export interface WindowedList {
  /** The rows to render: indices start (inclusive) to end (exclusive). */
  start: number
  end: number
  /** On the scrolling element. */
  viewportStyle: CSSProperties
  onScroll: (event: UIEvent<HTMLElement>) => void
  /** On the element inside it that is as tall as all rows. */
  contentStyle: CSSProperties
  /** On the element holding the rendered rows: moves them to where they belong. */
  rowsStyle: CSSProperties
}

/**
 * Fixed-height windowing: of `count` rows only those in view (plus `overscan`) are rendered, so the DOM
 * stays the same size whether the list holds ten items or ten thousand. Scrolled to the top, the first
 * rows are always rendered.
 */
export function useWindowedList({
  count,
  rowHeight,
  maxHeight,
  overscan = 5,
}: WindowedListOptions): WindowedList {
  const [scrollTop, setScrollTop] = useState(0)
  const onScroll = useCallback(
    (event: UIEvent<HTMLElement>) => setScrollTop(event.currentTarget.scrollTop),
    [],
  )
  const total = count * rowHeight
  const height = Math.min(total, maxHeight)
  // A list that shrank under the scroll position: the browser clamps scrollTop, and so does this.
  const top = Math.max(0, Math.min(scrollTop, total - height))
  const start = Math.max(0, Math.floor(top / rowHeight) - overscan)
  const end = Math.min(count, Math.ceil((top + height) / rowHeight) + overscan)
  return {
    start,
    end,
    viewportStyle: { height, overflowY: 'auto', position: 'relative' },
    onScroll,
    contentStyle: { height: total, position: 'relative' },
    rowsStyle: { position: 'absolute', top: start * rowHeight, left: 0, right: 0 },
  }
}
