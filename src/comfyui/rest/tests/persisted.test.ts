import { describe, expect, it } from 'vitest'
import { PROMPT_ID } from '../../../../test/helpers/comfyWire'
import {
  historyAnswerSchema,
  jobSchema,
  queueSchema,
  queueStatusOf,
  statusOfHistoryEntry,
  statusOfJob,
} from '..'

const entry = (statusStr: 'success' | 'error' | null, last?: string) => ({
  prompt: [3, PROMPT_ID, {}, { client_id: 'c' }, ['9']],
  outputs: { '9': { images: [{ filename: 'ComfyUI_00001_.png', subfolder: '', type: 'output' }] } },
  status:
    statusStr === null
      ? null
      : {
          status_str: statusStr,
          completed: statusStr === 'success',
          messages: [
            ['execution_start', { prompt_id: PROMPT_ID, timestamp: 1 }],
            ...(last ? [[last, { prompt_id: PROMPT_ID, timestamp: 2 }]] : []),
          ],
        },
  meta: { '9': { node_id: '9', display_node: '9', parent_node: null, real_node_id: '9' } },
})

describe("a ComfyUI prompt's persisted status", () => {
  it('reads success as completed, an error as failed, an interrupted error as canceled', () => {
    const history = historyAnswerSchema.parse({
      a: entry('success', 'execution_success'),
      b: entry('error', 'execution_error'),
      c: entry('error', 'execution_interrupted'),
      d: entry(null),
    })
    expect(
      Object.fromEntries(Object.entries(history).map(([id, e]) => [id, statusOfHistoryEntry(e)])),
    ).toEqual({
      a: 'completed',
      b: 'failed',
      c: 'canceled',
      d: 'completed',
    })
  })

  it('takes an empty history answer (200 with {}) as a valid answer with no entry', () => {
    expect(historyAnswerSchema.parse({})).toEqual({})
    expect(historyAnswerSchema.safeParse({ [PROMPT_ID]: { status: { status_str: 'done' } } }).success).toBe(
      false,
    )
  })

  it("spells the jobs API's cancelled as canceled", () => {
    const job = jobSchema.parse({ id: PROMPT_ID, status: 'cancelled', outputs: {}, execution_status: null })
    expect(statusOfJob(job)).toBe('canceled')
    expect(statusOfJob(jobSchema.parse({ id: PROMPT_ID, status: 'in_progress' }))).toBe('in_progress')
    expect(jobSchema.safeParse({ id: PROMPT_ID, status: 'done' }).success).toBe(false)
  })

  it('finds a prompt running or pending in GET /queue by the tuple order core uses', () => {
    const queue = queueSchema.parse({
      queue_running: [[5, 'running-id', {}, {}, []]],
      queue_pending: [
        [7, 'later', {}, {}, []],
        [6, PROMPT_ID, {}, {}, []],
      ],
    })
    expect(queueStatusOf(queue, 'running-id')).toBe('in_progress')
    expect(queueStatusOf(queue, PROMPT_ID)).toBe('pending')
    expect(queueStatusOf(queue, 'gone')).toBeNull()
    expect(queueSchema.safeParse({ queue_running: [[5]], queue_pending: [] }).success).toBe(false)
  })
})
