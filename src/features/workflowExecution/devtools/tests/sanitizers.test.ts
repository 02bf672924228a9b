import { trieGet } from '../../model/structures/hashTrie'
import { describe, expect, it } from 'vitest'
import { progress, statusChanged, started } from '../../../../../test/helpers/wire'
import { createWorkflowExecution } from '../../../../invokeai/createWorkflowExecution'
import { queueItemStatusChanged } from '../../../../invokeai/slice/actions'
import { invocationStarted } from '../../../../invokeai/slice/actions'
import { invocationProgress } from '../../../../invokeai/slice/actions'
import { actionSanitizer, SANITIZED_STRING_CHARS, stateSanitizer } from '../sanitizers'
import { nodeOf } from '../../model/read'
import { itemOf } from '../..'

const PREVIEW = `data:image/png;base64,${'A'.repeat(200_000)}`

function progressAction() {
  return invocationProgress(
    progress({ itemId: 1 }, 'p', 'n', 0.5, { width: 512, height: 512, dataURL: PREVIEW }) as never,
  )
}

describe('DevTools sanitizers', () => {
  it('a progress action’s 200 KB data URL becomes its size; the action itself is untouched', () => {
    const action = progressAction()
    const sanitized = actionSanitizer(action)
    const image = (sanitized.payload as { image: { dataURL: string; width: number } }).image
    expect(image.dataURL).toBe(`<image/png data URL, ${PREVIEW.length} chars>`)
    expect(image.width).toBe(512)
    expect((action.payload as { image: { dataURL: string } }).image.dataURL).toBe(PREVIEW)
    expect(JSON.stringify(sanitized).length).toBeLessThan(2_000)
  })

  it('an action without long strings comes back as the same object', () => {
    const action = invocationStarted(started({ itemId: 1 }, 'p', 'n') as never)
    expect(actionSanitizer(action)).toBe(action)
  })

  it('the state’s progress images become their size, and every other value stays', () => {
    const { reducer } = createWorkflowExecution()
    let state = reducer(
      undefined,
      queueItemStatusChanged(statusChanged({ itemId: 1 }, 'in_progress', 1) as never),
    )
    state = reducer(state, invocationStarted(started({ itemId: 1 }, 'p', 'n') as never))
    state = reducer(state, progressAction())
    const sanitized = stateSanitizer({ workflowExecution: state })
    const node = ((item) => (item ? trieGet(item.nodes, 'n') : undefined))(
      itemOf(sanitized.workflowExecution.items, 1),
    )
    expect(node?.progressImage?.dataURL).toBe(`<image/png data URL, ${PREVIEW.length} chars>`)
    expect(node?.progress).toBe(0.5)
    expect(nodeOf(itemOf(state.items, 1), 'n')?.progressImage?.dataURL).toBe(PREVIEW)
    // Unchanged branches are shared, not copied.
    expect(sanitized.workflowExecution.config).toBe(state.config)
  })

  it('a long plain string is noted by length; a 100,000-level payload does not throw', () => {
    expect(actionSanitizer({ type: 'x', payload: 'y'.repeat(SANITIZED_STRING_CHARS + 1) }).payload).toBe(
      `<${SANITIZED_STRING_CHARS + 1} chars>`,
    )
    let deep: unknown = 'leaf'
    for (let level = 0; level < 100_000; level += 1) deep = { next: deep }
    expect(() => actionSanitizer({ type: 'x', payload: deep })).not.toThrow()
  })
})
