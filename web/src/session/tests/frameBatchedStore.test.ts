import { configureStore, createSlice } from '@reduxjs/toolkit'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { frameBatchedStore } from '../frameBatchedStore'

const counter = createSlice({
  name: 'counter',
  initialState: 0,
  reducers: { added: (count) => count + 1 },
})

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('frameBatchedStore: subscribers hear of a frame of actions once', () => {
  it('notifies once per frame however many actions it saw, and reads the store itself', () => {
    vi.useFakeTimers()
    const frames: (() => void)[] = []
    vi.stubGlobal('requestAnimationFrame', (run: () => void) => frames.push(run))
    vi.stubGlobal('cancelAnimationFrame', () => {})
    const store = configureStore({ reducer: counter.reducer })
    const batched = frameBatchedStore(store)
    const heard: number[] = []
    const unsubscribe = batched.subscribe(() => heard.push(batched.getState()))

    for (let i = 0; i < 2_000; i += 1) batched.dispatch(counter.actions.added())
    expect(heard).toEqual([])
    expect(frames).toHaveLength(1)
    frames[0]?.()
    expect(heard).toEqual([2_000])

    // A frame that never comes (a hidden tab): the fallback timer tells them.
    batched.dispatch(counter.actions.added())
    vi.advanceTimersByTime(100)
    expect(heard).toEqual([2_000, 2_001])

    unsubscribe()
    batched.dispatch(counter.actions.added())
    vi.advanceTimersByTime(100)
    expect(heard).toEqual([2_000, 2_001])
  })
})
