import { afterAll, afterEach, beforeAll } from 'vitest'
import { createEngine, createMswServer, type Engine, type EngineOptions } from './engine'

/**
 * One msw server for the test file and engines that are closed after each test: the set-up every
 * engine scenario file shares.
 */
export function useEngines() {
  const msw = createMswServer()
  const engines: Engine[] = []
  beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => {
    while (engines.length) engines.pop()?.close()
    msw.resetHandlers()
  })
  afterAll(() => msw.close())
  return (options?: EngineOptions) => {
    const engine = createEngine(msw, options)
    engines.push(engine)
    return engine
  }
}
