// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PanelBoundary } from '../PanelBoundary'

afterEach(cleanup)

/** Throws while `failing.value` is set: what a panel does with a value it cannot render. */
function Fragile({ failing }: { failing: { value: boolean } }) {
  if (failing.value) throw new Error('Objects are not valid as a React child')
  return <p data-testid="fragile">fine</p>
}

describe('PanelBoundary: one bad value fails its panel only', () => {
  it("shows the panel's name, the message and a retry that remounts it; the siblings stay", () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
    const failing = { value: true }
    render(
      <>
        <PanelBoundary name="queue">
          <Fragile failing={failing} />
        </PanelBoundary>
        <PanelBoundary name="gallery">
          <p data-testid="sibling">still here</p>
        </PanelBoundary>
      </>,
    )
    const error = screen.getByTestId('panel-error')
    expect(error.getAttribute('data-panel')).toBe('queue')
    expect(error.textContent).toContain('queue failed')
    expect(error.textContent).toContain('Objects are not valid as a React child')
    expect(screen.getByTestId('sibling').textContent).toBe('still here')

    failing.value = false
    act(() => screen.getByTestId('panel-retry').click())
    expect(screen.queryByTestId('panel-error')).toBeNull()
    expect(screen.getByTestId('fragile').textContent).toBe('fine')
    quiet.mockRestore()
  })

  it('shows a thrown non-Error, and cuts a huge message', () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {})
    function Throws(): never {
      throw 'x'.repeat(1_000_000)
    }
    render(
      <PanelBoundary name="run">
        <Throws />
      </PanelBoundary>,
    )
    expect(screen.getByTestId('panel-error').textContent?.length).toBeLessThan(400)
    quiet.mockRestore()
  })
})
