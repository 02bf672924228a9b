import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'

/*
 * The package as a user gets it: built, packed with `npm pack`, unpacked into a strict host project's
 * node_modules (what installing the tarball does; its dependencies resolve from this repository's), then
 * type-checked in both module resolutions and loaded at run time. The README's ```ts blocks are
 * type-checked the same way, each as its own module.
 */

const ROOT = resolve(import.meta.dirname, '../..')
const CONSUMER = join(ROOT, 'test/package/consumer')
const INSTALLED = join(CONSUMER, 'node_modules/workflow-execution-state')
const README_BLOCKS = join(CONSUMER, 'readme')
/** The most runtime names the root may export. */
const MAX_ROOT_EXPORTS = 45

function run(command: string, args: string[], cwd = ROOT): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${failed.stdout ?? ''}${failed.stderr ?? failed.message}`,
    )
  }
}

const tsc = (project: string) =>
  run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], CONSUMER)

/** The ```ts blocks of the README, in order. */
export function readmeBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] as string)
}

const packed: { files: string[] } = { files: [] }

beforeAll(() => {
  run('npm', ['run', 'build', '--silent'])
  const destination = mkdtempSync(join(tmpdir(), 'wes-pack-'))
  const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', destination])) as {
    filename: string
    files: { path: string }[]
  }[]
  packed.files = (info?.files ?? []).map((file) => file.path)
  rmSync(INSTALLED, { recursive: true, force: true })
  mkdirSync(INSTALLED, { recursive: true })
  run('tar', ['-xzf', join(destination, info?.filename ?? ''), '-C', INSTALLED, '--strip-components=1'])
  rmSync(destination, { recursive: true, force: true })
  rmSync(README_BLOCKS, { recursive: true, force: true })
  mkdirSync(README_BLOCKS, { recursive: true })
  readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8')).forEach((block, index) =>
    // `export {}` keeps a block without imports a module of its own.
    writeFileSync(join(README_BLOCKS, `block${index + 1}.ts`), `${block}\nexport {}\n`),
  )
}, 180_000)

describe('the packed package, installed into a strict host app', () => {
  it('ships the build, the types, the LICENSE and the README, and nothing else', () => {
    expect(packed.files).toContain('LICENSE')
    expect(packed.files).toContain('README.md')
    for (const entry of ['index', 'testing/index', 'react/index', 'comfyui/index'])
      for (const ext of ['js', 'cjs', 'd.ts', 'd.cts']) expect(packed.files).toContain(`dist/${entry}.${ext}`)
    expect(
      packed.files.filter((file) => !/^(dist\/|LICENSE$|README\.md$|package\.json$)/.test(file)),
    ).toEqual([])
  })

  it('type-checks with moduleResolution bundler, strict and skipLibCheck off', () => {
    expect(tsc('tsconfig.bundler.json')).toBe('')
  }, 120_000)

  it('type-checks with moduleResolution node16, strict and skipLibCheck off', () => {
    expect(tsc('tsconfig.node16.json')).toBe('')
  }, 120_000)

  it('every ```ts block of the README compiles as its own module against the package', () => {
    expect(readdirSync(README_BLOCKS).length).toBeGreaterThanOrEqual(3)
    expect(tsc('tsconfig.readme.json')).toBe('')
  }, 120_000)

  it('the README’s testing example runs against the package and prints what it says', () => {
    const blocks = readdirSync(README_BLOCKS).filter((name) =>
      readFileSync(join(README_BLOCKS, name), 'utf8').includes('createMockSocket'),
    )
    expect(blocks).toHaveLength(1)
    const tsx = join(ROOT, 'node_modules/tsx/dist/cli.mjs')
    const printed = run(process.execPath, [tsx, join(README_BLOCKS, blocks[0] as string)], CONSUMER)
    expect(printed.trim()).toBe('COMPLETED')
  }, 60_000)

  it(`loads from ESM and CommonJS, with at most ${MAX_ROOT_EXPORTS} runtime names at the root`, () => {
    const script = (kind: 'esm' | 'cjs') =>
      kind === 'esm'
        ? `import * as m from 'workflow-execution-state'; import * as r from 'workflow-execution-state/react'; import * as t from 'workflow-execution-state/testing'; console.log(JSON.stringify([Object.keys(m), Object.keys(r), Object.keys(t)]))`
        : `const m = require('workflow-execution-state'); const r = require('workflow-execution-state/react'); const t = require('workflow-execution-state/testing'); console.log(JSON.stringify([Object.keys(m), Object.keys(r), Object.keys(t)]))`
    const esm = JSON.parse(
      run(process.execPath, ['--input-type=module', '-e', script('esm')], CONSUMER),
    ) as string[][]
    const cjs = JSON.parse(run(process.execPath, ['-e', script('cjs')], CONSUMER)) as string[][]
    const [root = [], react = [], testing = []] = esm
    expect(new Set(cjs[0])).toEqual(new Set(root))
    expect(root.length).toBeLessThanOrEqual(MAX_ROOT_EXPORTS)
    expect(root).toEqual(
      expect.arrayContaining(['createWorkflowExecution', 'createExecutionStore', 'invocationOutputReceived']),
    )
    // Internals stay internal.
    for (const internal of [
      'getOwn',
      'withKey',
      'decide',
      'GUARDS',
      'queueItemsAdapter',
      'executionConfigured',
    ])
      expect(root).not.toContain(internal)
    expect(react).toContain('useNodeExecutionState')
    expect(testing).toEqual(expect.arrayContaining(['createMockSocket', 'createQueueItemServer']))
  })

  it('the ComfyUI entry loads from ESM and CommonJS, and its store runs a prompt node to COMPLETED', () => {
    const names = (kind: 'esm' | 'cjs') =>
      kind === 'esm'
        ? `import * as c from 'workflow-execution-state/comfyui'; console.log(JSON.stringify(Object.keys(c)))`
        : `const c = require('workflow-execution-state/comfyui'); console.log(JSON.stringify(Object.keys(c)))`
    const esm = JSON.parse(
      run(process.execPath, ['--input-type=module', '-e', names('esm')], CONSUMER),
    ) as string[]
    const cjs = JSON.parse(run(process.execPath, ['-e', names('cjs')], CONSUMER)) as string[]
    expect(new Set(cjs)).toEqual(new Set(esm))
    expect(esm).toEqual(expect.arrayContaining(['createComfyWorkflowExecution', 'promptQueued', 'imagesOf']))
    const script = `
      import { configureStore } from '@reduxjs/toolkit'
      import { selectNodeExecutionState } from 'workflow-execution-state'
      import { createComfyWorkflowExecution, frameReceived, promptQueued, selectItemIdOfPrompt } from 'workflow-execution-state/comfyui'
      const comfy = createComfyWorkflowExecution({ listQueue: async () => [], lookupPrompt: async () => ({ kind: 'active', status: 'in_progress' }) })
      const store = configureStore({ reducer: { [comfy.reducerPath]: comfy.reducer }, middleware: (g) => g().concat(comfy.middleware) })
      const prompt_id = '3328f0c8-5c9e-4b7a-9d43-2f4f3b8f9a11'
      store.dispatch(promptQueued({ promptId: prompt_id }))
      store.dispatch(frameReceived({ type: 'execution_start', data: { prompt_id, timestamp: 1 } }))
      store.dispatch(frameReceived({ type: 'executed', data: { node: '9', display_node: '9', prompt_id, output: { images: [] } } }))
      console.log(selectNodeExecutionState(store.getState(), selectItemIdOfPrompt(store.getState(), prompt_id), '9').status)
      comfy.close()`
    expect(run(process.execPath, ['--input-type=module', '-e', script], CONSUMER).trim()).toBe('COMPLETED')
  })

  it('a store from the packed package runs a node to COMPLETED', () => {
    const script = `
      import { createExecutionStore, selectNodeExecutionState } from 'workflow-execution-state'
      import { createMockSocket } from 'workflow-execution-state/testing'
      const store = createExecutionStore({ devTools: false, reconcileOrigins: [] })
      const socket = createMockSocket()
      store.bindSocket(socket)
      socket.connect()
      const base = { queue_id: 'default', item_id: 1, origin: 'workflows', session_id: 's' }
      socket.serverPush('queue_item_status_changed', { ...base, status: 'in_progress', status_sequence: 1 })
      socket.serverPush('invocation_complete', { ...base, invocation: { id: 'p', type: 'add' }, invocation_source_id: 'n', result: { type: 'integer_output', value: 3 } })
      console.log(selectNodeExecutionState(store.getState(), 1, 'n').status)
      store.close()`
    expect(run(process.execPath, ['--input-type=module', '-e', script], CONSUMER).trim()).toBe('COMPLETED')
  })
})
