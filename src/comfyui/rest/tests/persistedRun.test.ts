import { describe, expect, it } from 'vitest'
import {
  apiPrompt,
  activeJob,
  historyEntry,
  imageOutput,
  jobOfEntry,
  PROMPT_ID,
} from '../../../../test/helpers/comfyWire'
import { applySnapshot, createQueueItemExecution, nodeOf } from '../../../features/workflowExecution/model'
import type { ItemMeta, PersistedRun } from '../../../features/workflowExecution/model/types'
import { comfyOutput } from '../../model/outputs'
import {
  cachedNodesOf,
  historyEntrySchema,
  jobSchema,
  nodesThatRun,
  persistedRunOfHistoryEntry,
  persistedRunOfJob,
  promptGraphOf,
} from '..'

const META: ItemMeta = {
  queueId: 'default',
  origin: 'workflows',
  destination: null,
  batchId: null,
  sessionId: PROMPT_ID,
  userId: null,
}

const RUNNING = ['3', '4', '5', '6', '7', '8', '9']
const START_ISO = new Date(1756000000123).toISOString()

const runOf = (body: unknown) => persistedRunOfHistoryEntry(PROMPT_ID, historyEntrySchema.parse(body), META)

const outcomes = (run: PersistedRun) => run.copies.map((copy) => [copy.preparedId, copy.outcome])

const applied = (run: PersistedRun) => applySnapshot(createQueueItemExecution(1, META), run)

describe("a ComfyUI history entry as the model's PersistedRun", () => {
  it('completes every node that ran on success, the outputs placed on their node, with class and start time', () => {
    const run = runOf(historyEntry())
    expect(run).toMatchObject({
      status: 'completed',
      statusSequence: null,
      startedAt: START_ISO,
      error: null,
      meta: META,
      nodeIds: RUNNING,
      executionOrder: ['9'],
    })
    expect(run.copies[0]).toEqual({
      preparedId: '9',
      sourceNodeId: '9',
      outcome: 'completed',
      output: comfyOutput(imageOutput('ComfyUI_00001_.png')),
      invocationType: 'SaveImage',
    })
    expect(outcomes(run)).toEqual(['9', '3', '4', '5', '6', '7', '8'].map((id) => [id, 'completed']))
    expect(run.copies.find((copy) => copy.preparedId === '3')).toEqual({
      preparedId: '3',
      sourceNodeId: '3',
      outcome: 'completed',
      invocationType: 'KSampler',
    })

    const item = applied(run)
    expect(nodeOf(item, '9')).toMatchObject({ status: 'COMPLETED', outputs: [run.copies[0]?.output] })
    for (const id of RUNNING) expect(nodeOf(item, id)?.status).toBe('COMPLETED')
    expect(item.status).toBe('completed')
  })

  it('leaves out a node no output needs (10 is in the prompt, nothing links to it)', () => {
    const run = runOf(historyEntry({ end: 'error', node: '3', executed: ['4'] }))
    expect(run.nodeIds).not.toContain('10')
    expect(run.copies.map((copy) => copy.preparedId)).not.toContain('10')
    expect(nodeOf(applied(run), '10')).toBeUndefined()
  })

  it('completes every cached node the server lists, first in execution order, a node no output needs too (as a client that heard execution_cached shows it)', () => {
    const entry = historyEntrySchema.parse(historyEntry({ cached: ['4', '6', '7', '10'] }))
    expect(cachedNodesOf(entry)).toEqual(['4', '6', '7', '10'])
    const run = persistedRunOfHistoryEntry(PROMPT_ID, entry, META)
    expect(run.executionOrder).toEqual(['4', '6', '7', '10', '9'])
    expect(outcomes(run)).toEqual([
      ['9', 'completed'],
      ['4', 'completed'],
      ['6', 'completed'],
      ['7', 'completed'],
      ['10', 'completed'],
      ['3', 'completed'],
      ['5', 'completed'],
      ['8', 'completed'],
    ])
    // Applied, the cached nodes say so, whichever frames the client heard; the others do not.
    const item = applied(run)
    expect(nodeOf(item, '4')?.cached).toBe(true)
    expect(nodeOf(item, '7')?.cached).toBe(true)
    expect(nodeOf(item, '10')?.cached).toBe(true)
    expect(nodeOf(item, '3')?.cached).toBeUndefined()
  })

  it('on failure: fails the error node with the error, completes its executed list, leaves the rest prepared (not run)', () => {
    const run = runOf(
      historyEntry({ end: 'error', node: '3', executed: ['4', '5', '6', '7'], outputs: {}, cached: ['4'] }),
    )
    const error = {
      error_type: 'torch.OutOfMemoryError',
      error_message: 'out of memory\n',
      error_traceback: '  File "execution.py", line 1, in execute\n    raise\n',
    }
    expect(run).toMatchObject({ status: 'failed', error, startedAt: START_ISO })
    expect(outcomes(run)).toEqual([
      ['4', 'completed'],
      ['5', 'completed'],
      ['6', 'completed'],
      ['7', 'completed'],
      ['3', 'failed'],
      ['8', 'prepared'],
      ['9', 'prepared'],
    ])
    expect(run.copies.find((copy) => copy.preparedId === '3')).toMatchObject({
      error,
      invocationType: 'KSampler',
    })
    expect(run.executionOrder).toEqual(['4', '5', '6', '7'])

    const item = applied(run)
    expect(nodeOf(item, '3')).toMatchObject({ status: 'FAILED', error })
    expect(nodeOf(item, '8')?.status).toBe('CANCELED')
    expect(nodeOf(item, '9')?.status).toBe('CANCELED')
    expect(nodeOf(item, '5')?.status).toBe('COMPLETED')
  })

  it('keeps the partial outputs of a failed prompt', () => {
    const prompt = { ...apiPrompt(), '11': { class_type: 'PreviewImage', inputs: { images: ['8', 0] } } }
    const run = runOf(
      historyEntry({
        prompt,
        outputsToExecute: ['11', '9'],
        outputs: { '11': imageOutput('ComfyUI_temp_00001_.png', 'temp') },
        end: 'error',
        node: '9',
        nodeType: 'SaveImage',
        executed: ['3', '4', '5', '6', '7', '8', '11'],
      }),
    )
    expect(outcomes(run)).toEqual([
      ['11', 'completed'],
      ['3', 'completed'],
      ['4', 'completed'],
      ['5', 'completed'],
      ['6', 'completed'],
      ['7', 'completed'],
      ['8', 'completed'],
      ['9', 'failed'],
    ])
    expect(run.nodeIds).toEqual([...RUNNING, '11'])
  })

  it('reads an interrupt as canceled: the executed list completed, the interrupted node and the rest prepared', () => {
    const run = runOf(
      historyEntry({ end: 'interrupted', node: '3', executed: ['4', '5', '6', '7'], outputs: {} }),
    )
    expect(run).toMatchObject({ status: 'canceled', error: null, startedAt: START_ISO })
    expect(outcomes(run)).toEqual([
      ['4', 'completed'],
      ['5', 'completed'],
      ['6', 'completed'],
      ['7', 'completed'],
      ['3', 'prepared'],
      ['8', 'prepared'],
      ['9', 'prepared'],
    ])
    const item = applied(run)
    expect(item.status).toBe('canceled')
    expect(nodeOf(item, '3')?.status).toBe('CANCELED')
  })

  it('places ephemeral and subgraph ids on their display node (meta, else the node that expanded them)', () => {
    const prompt = {
      ...apiPrompt(),
      '11': { class_type: 'CustomExpander', inputs: { images: ['8', 0] } },
      '12:5': { class_type: 'PreviewImage', inputs: { images: ['8', 0] } },
    }
    const run = runOf(
      historyEntry({
        prompt,
        outputsToExecute: ['9', '11', '12:5'],
        outputs: {
          '9': imageOutput('a.png'),
          '12:5': imageOutput('b.png', 'temp'),
          '11.0.0.3': imageOutput('c.png'),
        },
        displayNodes: { '11.0.0.3': '11' },
        end: 'interrupted',
        node: '11',
        nodeType: 'CustomExpander',
        // 11.0.0.1 ran inside the expansion, had no UI output, so no meta: it shows on 11.
        executed: ['3', '4', '5', '6', '7', '8', '9', '12:5', '11.0.0.1'],
      }),
    )
    const sources = Object.fromEntries(run.copies.map((copy) => [copy.preparedId, copy.sourceNodeId]))
    expect(sources).toMatchObject({
      '9': '9',
      '12:5': '12:5',
      '11.0.0.3': '11',
      '11.0.0.1': '11',
      '11': '11',
    })
    expect(run.copies.find((copy) => copy.preparedId === '11.0.0.3')).toEqual({
      preparedId: '11.0.0.3',
      sourceNodeId: '11',
      outcome: 'completed',
      output: comfyOutput(imageOutput('c.png')),
    })
    expect(run.copies.find((copy) => copy.preparedId === '12:5')?.invocationType).toBe('PreviewImage')
    expect(run.copies.at(-1)).toMatchObject({ preparedId: '11', outcome: 'prepared' })
    expect(run.nodeIds).toEqual([...RUNNING, '11', '12:5'])

    const item = applied(run)
    expect(nodeOf(item, '11')?.outputs).toEqual([comfyOutput(imageOutput('c.png'))])
    expect(nodeOf(item, '11.0.0.3')).toBeUndefined()
  })

  it('throws when the entry is another prompt’s', () => {
    expect(() => persistedRunOfHistoryEntry('other', historyEntrySchema.parse(historyEntry()), META)).toThrow(
      /another|other/,
    )
  })
})

describe('reading the prompt graph defensively', () => {
  it('survives cycles, links to missing nodes, odd inputs and outputs to execute that are not in the prompt', () => {
    const prompt = {
      '1': { class_type: 'A', inputs: { x: ['2', 0] } },
      '2': { class_type: 'B', inputs: { x: ['1', 0], y: ['404', 0], z: [1, 'x'], w: 'plain', v: ['1'] } },
      '3': 'not a node',
      '4': { class_type: 'C', inputs: null },
    }
    const graph = promptGraphOf(prompt)
    expect(graph && [...nodesThatRun(graph, ['2', 'missing'])].sort()).toEqual(['1', '2'])
    const run = runOf({
      prompt: [1, PROMPT_ID, prompt, {}, ['2', 'missing', 7]],
      outputs: {},
      status: { status_str: 'success', completed: true, messages: [['execution_start', 'no data']] },
    })
    expect(run).toMatchObject({ nodeIds: ['1', '2'], startedAt: null, status: 'completed' })
    expect(outcomes(run)).toEqual([
      ['1', 'completed'],
      ['2', 'completed'],
    ])
  })

  it('walks a chain of 50,000 nodes without recursion', () => {
    const prompt: Record<string, unknown> = {}
    for (let at = 0; at < 50_000; at += 1)
      prompt[`n${at}`] = { class_type: 'Step', inputs: at === 0 ? {} : { x: [`n${at - 1}`, 0] } }
    const graph = promptGraphOf(prompt)
    expect(graph && nodesThatRun(graph, ['n49999']).size).toBe(50_000)
  })

  it('maps an entry with no prompt, no status and bad timestamps without throwing', () => {
    const run = runOf({
      outputs: { '9': imageOutput('a.png') },
      status: {
        status_str: 'error',
        messages: [
          ['execution_start', { timestamp: 1e20 }],
          ['execution_error', null],
          ['execution_error', { node_id: 5, exception_type: 'ValueError', traceback: 'one line' }],
        ],
      },
    })
    expect(run).toMatchObject({
      status: 'failed',
      startedAt: null,
      nodeIds: [],
      error: { error_type: 'ValueError', error_message: '', error_traceback: 'one line' },
    })
    expect(outcomes(run)).toEqual([
      ['9', 'completed'],
      ['5', 'failed'],
    ])
  })

  it('infers the outputs when the entry has no outputs_to_execute list', () => {
    const body = historyEntry()
    body.prompt[4] = 'not a list'
    expect(runOf(body).nodeIds).toEqual(RUNNING)
  })
})

describe("a ComfyUI job (GET /api/jobs/{id}) as the model's PersistedRun", () => {
  it('is the history entry’s run, the outputs to execute found from the output classes', () => {
    for (const body of [
      historyEntry({ cached: ['4'] }),
      historyEntry({ end: 'error', node: '3', executed: ['4', '5', '6', '7'], outputs: {} }),
      historyEntry({ end: 'interrupted', node: '8', executed: ['3', '4', '5', '6', '7'], outputs: {} }),
    ]) {
      const job = jobSchema.parse(jobOfEntry(body))
      expect(persistedRunOfJob(job, META)).toEqual(runOf(body))
    }
  })

  it('is null while the job is pending or in progress', () => {
    expect(persistedRunOfJob(jobSchema.parse(activeJob('pending')), META)).toBeNull()
    expect(persistedRunOfJob(jobSchema.parse(activeJob('in_progress')), META)).toBeNull()
  })

  it('takes the start time and the error from the job when it has no execution status', () => {
    const body = historyEntry({ end: 'error', node: '3', executed: ['4'], outputs: {} })
    const { execution_status: _status, ...job } = jobOfEntry(body)
    const run = persistedRunOfJob(jobSchema.parse(job), META)
    expect(run).toMatchObject({
      status: 'failed',
      startedAt: START_ISO,
      error: { error_type: 'torch.OutOfMemoryError', error_message: 'out of memory\n' },
    })
    expect(run?.copies.find((copy) => copy.outcome === 'failed')?.preparedId).toBe('3')
  })

  it('counts a node with outputs, or of a class the caller names, as an output to execute', () => {
    const prompt = {
      ...apiPrompt(),
      '20': { class_type: 'VideoCombine', inputs: { images: ['8', 0] } },
      '21': { class_type: 'Upscale', inputs: { image: ['10', 0] } },
      '22': { class_type: 'CustomSave', inputs: { images: ['21', 0] } },
    }
    const body = historyEntry({
      prompt,
      outputsToExecute: ['9', '20', '22'],
      outputs: { '9': imageOutput('a.png'), '20': { gifs: [{ filename: 'v.mp4' }] } },
      end: 'interrupted',
      node: '21',
      executed: ['3', '4', '5', '6', '7', '8', '9', '20', '10'],
    })
    const job = jobSchema.parse(jobOfEntry(body))
    expect(persistedRunOfJob(job, META)?.nodeIds).toEqual([...RUNNING, '20'])
    expect(persistedRunOfJob(job, META, { outputClasses: ['SaveImage', 'CustomSave'] })?.nodeIds).toEqual([
      ...RUNNING,
      '10',
      '20',
      '21',
      '22',
    ])
  })
})
