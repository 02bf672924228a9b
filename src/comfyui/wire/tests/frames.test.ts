import { describe, expect, it } from 'vitest'
import {
  executedFrame,
  executingFrame,
  executionErrorFrame,
  frame,
  progressStateFrame,
  PROMPT_ID,
  statusFrame,
} from '../../../../test/helpers/comfyWire'
import { parseComfyFrame } from '..'

describe('a ComfyUI text frame', () => {
  it('is read as the frame of its type, with the fields the server writes', () => {
    expect(parseComfyFrame(statusFrame(2, 'client-a'))).toMatchObject({
      kind: 'frame',
      frame: { type: 'status', data: { status: { exec_info: { queue_remaining: 2 } }, sid: 'client-a' } },
    })
    expect(parseComfyFrame(executingFrame('3'))).toMatchObject({
      frame: { type: 'executing', data: { node: '3', display_node: '3', prompt_id: PROMPT_ID } },
    })
    const progress = parseComfyFrame(progressStateFrame({ '4': 'finished', '3': 'running' }))
    expect(progress).toMatchObject({ kind: 'frame', frame: { type: 'progress_state' } })
    if (progress.kind === 'frame' && progress.frame.type === 'progress_state')
      expect(Object.keys(progress.frame.data.nodes).sort()).toEqual(['3', '4'])
    expect(parseComfyFrame(executedFrame('9', 'ComfyUI_00001_.png'))).toMatchObject({
      frame: { type: 'executed', data: { output: { images: [{ filename: 'ComfyUI_00001_.png' }] } } },
    })
  })

  it('ends the prompt with executing { node: null }, and a reconnect replay carries no prompt id', () => {
    expect(parseComfyFrame(executingFrame(null))).toMatchObject({
      frame: { type: 'executing', data: { node: null, prompt_id: PROMPT_ID } },
    })
    const replay = parseComfyFrame(executingFrame('7', null))
    expect(replay).toMatchObject({ kind: 'frame', frame: { data: { node: '7' } } })
    if (replay.kind === 'frame') expect(replay.frame.data).not.toHaveProperty('prompt_id')
  })

  it('reads ExecutionBlocked, which has no timestamp, like any execution_error', () => {
    expect(parseComfyFrame(executionErrorFrame('3', 'ExecutionBlocked'))).toMatchObject({
      kind: 'frame',
      frame: { type: 'execution_error', data: { exception_type: 'ExecutionBlocked', traceback: [] } },
    })
    expect(parseComfyFrame(executionErrorFrame('3'))).toMatchObject({
      frame: { data: { exception_type: 'torch.OutOfMemoryError', timestamp: 1756000000500 } },
    })
  })

  it('of a type the adapter does not read (logs, a custom node) is ignored, not rejected', () => {
    expect(parseComfyFrame(frame('logs', { entries: [] }))).toEqual({ kind: 'ignored', type: 'logs' })
    expect(parseComfyFrame(frame('crystools.monitor', { cpu: 3 }))).toEqual({
      kind: 'ignored',
      type: 'crystools.monitor',
    })
  })

  it('that is not JSON, has no envelope or the wrong shape is rejected with where it went wrong', () => {
    expect(parseComfyFrame('{"type":')).toMatchObject({ kind: 'rejected', type: null })
    expect(parseComfyFrame('[1,2]')).toMatchObject({ kind: 'rejected', issues: [{ path: '(frame)' }] })
    expect(parseComfyFrame(JSON.stringify({ data: {} }))).toMatchObject({
      kind: 'rejected',
      issues: [{ path: 'type' }],
    })
    const wrong = parseComfyFrame(
      frame('progress', { value: 'five', max: 20, prompt_id: PROMPT_ID, node: '3' }),
    )
    expect(wrong).toMatchObject({ kind: 'rejected', type: 'progress', issues: [{ path: 'data.value' }] })
    expect(parseComfyFrame(frame('executed', { node: '9', prompt_id: PROMPT_ID }))).toMatchObject({
      kind: 'rejected',
      issues: [{ path: 'data.output' }],
    })
  })

  it('nested 100,000 levels deep is rejected before zod walks it, without touching the stack', () => {
    const deep = `{"images":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    const text = `{"type":"executed","data":{"node":"9","prompt_id":"${PROMPT_ID}","output":${deep}}}`
    const parsed = parseComfyFrame(text)
    expect(parsed).toMatchObject({
      kind: 'rejected',
      type: 'executed',
      issues: [{ message: 'nested too deep' }],
    })
    if (parsed.kind === 'rejected')
      expect(parsed.issues[0]?.path.startsWith('data.output.images.0.0')).toBe(true)
  })
})
