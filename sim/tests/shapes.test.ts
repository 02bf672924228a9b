// The simulator's payloads have exactly the fields (and field order) of the InvokeAI fixtures.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimulator } from '../index'
import type { Simulator } from '../types'
import { api, connect, isStatus } from './helpers'
import type { Recorded, TestClient } from './helpers'

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../test/fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    any
  >

const keys = (value: unknown) => Object.keys(value as object)

const state: { sim?: Simulator; client?: TestClient; events: Recorded[] } = { events: [] }

beforeAll(async () => {
  const sim = await startSimulator({ stepDelayMs: 2, cancelPersistDelayMs: 10 })
  const client = await connect(sim)
  Object.assign(state, { sim, client })
  const ok = sim.enqueueScenario('fanout', { params: { count: 2, steps: 2 }, destination: 'gallery' })
    .item_ids[0]
  const failed = sim.enqueueScenario('node_error', { params: { steps: 1 } }).item_ids[0]
  const canceled = sim.enqueueScenario('simple').item_ids[0] as number
  sim.cancel(canceled)
  await sim.whenIdle()
  const retried = (await api(sim, 'PUT', '/api/v1/queue/default/retry_items_by_id', [failed])).body
  expect(retried.retried_item_ids).toEqual([failed])
  await sim.whenIdle()
  sim.enqueueScenario('simple')
  await api(sim, 'PUT', '/api/v1/queue/default/cancel_all_except_current')
  await api(sim, 'PUT', '/api/v1/queue/default/clear')
  await client.waitFor((events) => events.some((e) => e.name === 'queue_cleared'))
  state.events = client.events
  expect(ok).toBe(1)
})

afterAll(async () => {
  state.client?.close()
  await state.sim?.close()
})

const first = (name: string, where: (e: Recorded) => boolean = () => true) => {
  const event = state.events.find((e) => e.name === name && where(e))
  if (!event) throw new Error(`no ${name} event`)
  return event.payload
}

describe('payload shapes', () => {
  it('status events have every field of the fixtures, in their order', () => {
    for (const [status, name] of [
      ['in_progress', 'queue_item_status_changed.in_progress'],
      ['completed', 'queue_item_status_changed.completed'],
      ['failed', 'queue_item_status_changed.failed'],
      ['canceled', 'queue_item_status_changed.canceled'],
    ] as const) {
      const payload = first('queue_item_status_changed', isStatus(status))
      const expected = fixture(name)
      expect(keys(payload)).toEqual(keys(expected))
      expect(keys(payload.batch_status)).toEqual(keys(expected.batch_status))
      expect(keys(payload.queue_status)).toEqual(keys(expected.queue_status))
      expect(Number.isInteger(payload.timestamp)).toBe(true)
      expect(payload.user_id).toBe('system')
    }
    const failed = first('queue_item_status_changed', isStatus('failed'))
    expect(typeof failed.error_traceback).toBe('string')
    const completed = first('queue_item_status_changed', isStatus('completed'))
    expect(completed.error_type).toBeNull()
    expect(completed.completed_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/)
  })

  it('invocation events have every field of the fixtures', () => {
    expect(keys(first('invocation_started'))).toEqual(keys(fixture('invocation_started')))
    const progress = first('invocation_progress')
    expect(keys(progress)).toEqual(keys(fixture('invocation_progress')))
    expect(keys(progress.image)).toEqual(keys(fixture('invocation_progress').image))
    expect(progress.image?.dataURL).toMatch(/^data:image\/png;base64,/)
    expect(keys(first('invocation_complete'))).toEqual(keys(fixture('invocation_complete')))
    const image = first('invocation_complete', (e) => e.payload.invocation?.type === 'l2i')
    expect(keys(image.result)).toEqual(keys(fixture('invocation_complete.image_output').result))
    expect(keys(first('invocation_error'))).toEqual(keys(fixture('invocation_error')))
  })

  it('queue events have every field of the fixtures', () => {
    expect(keys(first('batch_enqueued'))).toEqual(keys(fixture('batch_enqueued')))
    expect(first('queue_cleared')).toMatchObject({ queue_id: 'default', user_id: null })
    expect(keys(first('queue_cleared'))).toEqual(keys(fixture('queue_cleared')))
    expect(keys(first('queue_items_canceled'))).toEqual(keys(fixture('queue_items_canceled')))
    expect(keys(first('queue_items_retried'))).toEqual(keys(fixture('queue_items_retried')))
  })

  it('a persisted queue item has the fields of the REST fixtures, without nulls', async () => {
    const sim = state.sim as Simulator
    const [itemId] = sim.enqueueScenario('simple', { destination: 'gallery' }).item_ids as [number]
    const item = (await sim.whenSettled(itemId)) as Record<string, unknown>
    const expected = fixture('session_queue_item')
    expect(keys(item)).toEqual(keys(expected))
    expect(keys(item.session)).toEqual(keys(expected.session))
    expect(item.session).toMatchObject({
      workflow_call_stack: [],
      ready_order: [],
      max_workflow_call_depth: 4,
    })
    const failedKeys = keys(fixture('session_queue_item.failed'))
    const [failedId] = sim.enqueueScenario('node_error', { destination: 'gallery', params: { steps: 1 } })
      .item_ids as [number]
    expect(keys(await sim.whenSettled(failedId))).toEqual(failedKeys)
  })
})
