import { describe, expect, it } from 'vitest'

/*
 * RTK reads the DevTools extension off `window` when it loads, so the stand-in extension is installed
 * first and the package is imported after it.
 */
const seen: Record<string, unknown>[] = []
;(globalThis as { window?: unknown }).window = {
  __REDUX_DEVTOOLS_EXTENSION_COMPOSE__: (options: Record<string, unknown>) => {
    seen.push(options)
    return (...enhancers: ((next: unknown) => unknown)[]) =>
      (createStore: unknown) =>
        enhancers.reduceRight((next, enhancer) => enhancer(next), createStore)
  },
}

describe('createExecutionStore and Redux DevTools', () => {
  it('uses the engine’s sanitizers by default, takes the host’s options, and can be turned off', async () => {
    const { createExecutionStore, actionSanitizer, stateSanitizer } = await import('../..')
    createExecutionStore().close()
    expect(seen.at(-1)).toMatchObject({ name: 'workflow-execution-state', actionSanitizer, stateSanitizer })
    createExecutionStore({ devTools: { name: 'my app', trace: true } }).close()
    expect(seen.at(-1)).toMatchObject({ name: 'my app', trace: true, actionSanitizer, stateSanitizer })
    const count = seen.length
    createExecutionStore({ devTools: false }).close()
    expect(seen).toHaveLength(count)
  })

  it('takes the host’s own reducers beside the engine’s', async () => {
    const { createExecutionStore } = await import('../..')
    const store = createExecutionStore({
      devTools: false,
      reducers: {
        counter: (state: number = 0, action: { type: string }) => (action.type === 'inc' ? state + 1 : state),
      },
    })
    store.dispatch({ type: 'inc' })
    expect(store.getState().counter).toBe(1)
    expect(store.getState().workflowExecution.connected).toBe(false)
    store.close()
  })
})
