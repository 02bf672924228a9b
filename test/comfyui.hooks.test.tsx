// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { Provider } from 'react-redux'
import { afterEach, describe, expect, it } from 'vitest'
import { useActiveItemId, useItemNodeExecutionState } from '../src/react'
import { promptQueued } from '../src/comfyui'
import { comfyEngine } from './helpers/comfyEngine'
import { executingFrame, frame, PROMPT_ID, progressStateFrame } from './helpers/comfyWire'

afterEach(cleanup)

describe("the library's React hooks on a ComfyUI store", () => {
  it('follow the current run and its nodes as the frames come, the same hooks as for InvokeAI', async () => {
    const e = comfyEngine()
    function Sampler() {
      const itemId = useActiveItemId()
      const node = useItemNodeExecutionState(itemId ?? -1, '3')
      return (
        <span data-testid="sampler">{`${itemId ?? 'none'} ${node?.status ?? '-'} ${node?.progress ?? '-'}`}</span>
      )
    }
    render(
      <Provider store={e.store}>
        <Sampler />
      </Provider>,
    )
    expect(screen.getByTestId('sampler').textContent).toBe('none - -')
    // Frames are auto-batched: subscribers hear of them on the next frame.
    const frameLater = () => new Promise((resolve) => setTimeout(resolve, 50))
    await act(async () => {
      e.socket.open()
      e.store.dispatch(promptQueued({ promptId: PROMPT_ID }))
      e.socket.text(frame('execution_start', { prompt_id: PROMPT_ID, timestamp: 1756000000123 }))
      e.socket.text(executingFrame('3'))
      e.socket.text(frame('progress', { value: 5, max: 20, prompt_id: PROMPT_ID, node: '3' }))
      await frameLater()
    })
    const itemId = e.itemIdOf(PROMPT_ID)
    expect(screen.getByTestId('sampler').textContent).toBe(`${itemId} IN_PROGRESS 0.25`)
    await act(async () => {
      e.socket.text(progressStateFrame({ '3': 'finished' }))
      await frameLater()
    })
    expect(screen.getByTestId('sampler').textContent).toBe(`${itemId} COMPLETED 1`)
  })
})
