import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

/*
 * The engine is protocol-neutral: nothing under src/features/workflowExecution (tests aside) imports an
 * adapter, and neither adapter imports the other. A protocol is added beside them, never inside.
 */

const SRC = resolve(import.meta.dirname, '../../src')

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'tests' ? [] : sourcesUnder(path)
    return /\.tsx?$/.test(entry.name) ? [path] : []
  })
}

/** Where each relative import of a file points, relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) =>
    relative(SRC, resolve(file, '..', match[1] as string)),
  )
}

const crossings = (layer: string, forbidden: string[]) =>
  sourcesUnder(join(SRC, layer)).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((root) => target === root || target.startsWith(`${root}/`)))
      .map((target) => `${relative(SRC, file)} → ${target}`),
  )

describe('the layers of the source', () => {
  it('the engine imports no adapter', () => {
    expect(sourcesUnder(join(SRC, 'features/workflowExecution')).length).toBeGreaterThan(30)
    expect(crossings('features/workflowExecution', ['invokeai', 'comfyui'])).toEqual([])
  })

  it('the InvokeAI and ComfyUI adapters do not import each other', () => {
    expect(crossings('invokeai', ['comfyui'])).toEqual([])
    expect(crossings('comfyui', ['invokeai'])).toEqual([])
  })
})
