import { JSDOM } from 'jsdom'

/** Animation frames the bench runs by hand: "the browser painted" happens exactly when it says so. */
export interface FrameClock {
  /** Runs every callback queued for the next frame. */
  run(): void
}

export interface InstalledDom {
  frames: FrameClock
  restore(): void
}

/**
 * A jsdom document on `globalThis` (react-dom looks for it when first imported, so import it after this),
 * unless one is there already (a jsdom test environment), and a hand-run `requestAnimationFrame` on its
 * window. RTK's auto-batching picks that up for stores made afterwards: the engine's progress actions
 * notify subscribers once per frame, and the bench decides where frames fall.
 */
export function installDom(): InstalledDom {
  const target = globalThis as {
    window?: Window & typeof globalThis
    document?: Document
    navigator?: Navigator
  }
  const dom =
    typeof target.document === 'undefined' ? new JSDOM('<!doctype html><html><body></body></html>') : null
  // Node 20 has no global navigator; react-dom's development build reads it when imported.
  const addsNavigator = dom !== null && typeof target.navigator === 'undefined'
  if (dom) {
    target.window = dom.window
    target.document = dom.window.document
    if (addsNavigator) target.navigator = dom.window.navigator
  }
  const win = target.window as Window & typeof globalThis
  const previous = { raf: win.requestAnimationFrame, caf: win.cancelAnimationFrame }
  const queued = new Map<number, FrameRequestCallback>()
  const ids = { next: 1 }
  win.requestAnimationFrame = (callback) => {
    const id = ids.next++
    queued.set(id, callback)
    return id
  }
  win.cancelAnimationFrame = (id) => void queued.delete(id)
  const frames: FrameClock = {
    run() {
      const callbacks = [...queued.values()]
      queued.clear()
      const time = performance.now()
      for (const callback of callbacks) callback(time)
    },
  }
  return {
    frames,
    restore() {
      win.requestAnimationFrame = previous.raf
      win.cancelAnimationFrame = previous.caf
      if (!dom) return
      delete target.window
      delete target.document
      if (addsNavigator) delete target.navigator
      dom.window.close()
    },
  }
}
