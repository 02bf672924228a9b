import { describe, expect, it } from 'vitest'
import { loadFixture, SOCKET_EVENT_FIXTURES, sequences } from '../../../../test/fixtures'
import { isSocketEventName, validateSessionQueueItem, validateSocketEvent } from '..'
import type { SocketEventName } from '../types'

type Payload = Record<string, unknown>

const fixture = (name: string) => loadFixture<Payload>(name)
const without = (payload: Payload, ...keys: string[]) =>
  Object.fromEntries(Object.entries(payload).filter(([key]) => !keys.includes(key)))

const statusFixture = () => fixture('queue_item_status_changed.in_progress.json')
const progressFixture = () => fixture('invocation_progress.json')
const startedFixture = () => fixture('invocation_started.json')
const persistedFixture = () => fixture('session_queue_item.json')

describe('every fixture parses with its schema', () => {
  it.each(SOCKET_EVENT_FIXTURES)('%s: %s', (event, file) => {
    const payload = fixture(file)
    const checked = validateSocketEvent(event, payload)
    expect(checked).toEqual({ ok: true, value: payload })
    // The value is the payload as received (unknown fields included), not zod's stripped output.
    if (checked.ok) expect(checked.value).toBe(payload)
  })

  it.each(['session_queue_item.json', 'session_queue_item.failed.json'])('%s (REST)', (file) => {
    const payload = fixture(file)
    const checked = validateSessionQueueItem(payload)
    expect(checked.ok).toBe(true)
    if (checked.ok) expect(checked.value).toBe(payload)
  })

  it.each(Object.entries(sequences))('every event of the %s sequence', (_name, load) => {
    for (const [event, payload] of load()) {
      expect(isSocketEventName(event)).toBe(true)
      expect(validateSocketEvent(event, payload).ok, event).toBe(true)
    }
  })
})

describe('tolerant where servers differ', () => {
  it('accepts a status event without user_id and status_sequence (servers before 6.12 / 6.13)', () => {
    expect(
      validateSocketEvent('queue_item_status_changed', without(statusFixture(), 'user_id', 'status_sequence'))
        .ok,
    ).toBe(true)
    expect(validateSocketEvent('invocation_started', without(startedFixture(), 'user_id')).ok).toBe(true)
    expect(validateSocketEvent('batch_enqueued', without(fixture('batch_enqueued.json'), 'user_id')).ok).toBe(
      true,
    )
  })

  it('accepts a progress event without device (servers before 6.14), and with device null', () => {
    expect(validateSocketEvent('invocation_progress', without(progressFixture(), 'device')).ok).toBe(true)
    expect(validateSocketEvent('invocation_progress', { ...progressFixture(), device: 'cuda:1' }).ok).toBe(
      true,
    )
  })

  it('accepts status waiting (6.14 workflow calls)', () => {
    expect(
      validateSocketEvent('queue_item_status_changed', { ...statusFixture(), status: 'waiting' }).ok,
    ).toBe(true)
    expect(validateSessionQueueItem({ ...persistedFixture(), status: 'waiting' }).ok).toBe(true)
  })

  it('lets unknown extra fields pass, at the top and inside nested objects', () => {
    const payload = {
      ...progressFixture(),
      future_field: { deep: [1, 2] },
      image: { width: 1, height: 1, dataURL: 'x', alpha: true },
    }
    const checked = validateSocketEvent('invocation_progress', payload)
    expect(checked.ok).toBe(true)
    if (checked.ok) expect((checked.value as Payload).future_field).toEqual({ deep: [1, 2] })
    expect(validateSessionQueueItem({ ...persistedFixture(), workflow: null, extra: 'x' }).ok).toBe(true)
  })

  it('accepts a progress with indeterminate percentage (null) and without an image', () => {
    expect(
      validateSocketEvent('invocation_progress', { ...progressFixture(), percentage: null, image: null }).ok,
    ).toBe(true)
  })

  it('accepts a persisted item whose null fields are omitted (REST), and ISO date-times', () => {
    const persisted = without(
      persistedFixture(),
      'status_sequence',
      'user_id',
      'origin',
      'destination',
      'started_at',
    )
    expect(validateSessionQueueItem({ ...persisted, created_at: '2026-08-19T10:15:01.882Z' }).ok).toBe(true)
  })

  it('accepts a queue_cleared for every user (user_id null) and for one user', () => {
    expect(validateSocketEvent('queue_cleared', { queue_id: 'default', user_id: null }).ok).toBe(true)
    expect(validateSocketEvent('queue_cleared', { queue_id: 'default', user_id: 'alice' }).ok).toBe(true)
    expect(validateSocketEvent('queue_cleared', { queue_id: 'default' }).ok).toBe(true)
  })
})

describe('strict on what the model reads', () => {
  const itemIdCases: [string, unknown][] = [
    ['non-integer', 42.5],
    ['negative', -1],
    ['a string', '42'],
    ['NaN', Number.NaN],
    ['missing', undefined],
  ]

  it.each(itemIdCases)('rejects an item_id that is %s', (_what, itemId) => {
    const events: [SocketEventName, Payload][] = [
      ['queue_item_status_changed', statusFixture()],
      ['invocation_started', startedFixture()],
      ['invocation_progress', progressFixture()],
      ['invocation_complete', fixture('invocation_complete.json')],
      ['invocation_error', fixture('invocation_error.json')],
    ]
    for (const [event, payload] of events) {
      const checked = validateSocketEvent(event, { ...payload, item_id: itemId })
      expect(checked.ok, event).toBe(false)
      if (!checked.ok) expect(checked.issues.some((issue) => issue.path === 'item_id')).toBe(true)
    }
    expect(validateSessionQueueItem({ ...persistedFixture(), item_id: itemId }).ok).toBe(false)
  })

  it('rejects ids in bulk events that are not non-negative integers', () => {
    expect(
      validateSocketEvent('queue_items_canceled', { queue_id: 'default', canceled_item_ids: [46, -1] }).ok,
    ).toBe(false)
    expect(
      validateSocketEvent('queue_items_canceled', { queue_id: 'default', canceled_item_ids: [1.5] }).ok,
    ).toBe(false)
    expect(
      validateSocketEvent('queue_items_retried', { queue_id: 'default', retried_item_ids: ['43'] }).ok,
    ).toBe(false)
  })

  it('rejects an empty invocation.id or invocation_source_id', () => {
    for (const event of [
      'invocation_started',
      'invocation_progress',
      'invocation_complete',
      'invocation_error',
    ] as const) {
      const payload = event === 'invocation_started' ? startedFixture() : fixture(`${event}.json`)
      const invocation = payload.invocation as Payload
      const emptyId = validateSocketEvent(event, { ...payload, invocation: { ...invocation, id: '' } })
      expect(emptyId.ok, `${event} invocation.id`).toBe(false)
      if (!emptyId.ok) expect(emptyId.issues.map((issue) => issue.path)).toContain('invocation.id')
      expect(
        validateSocketEvent(event, { ...payload, invocation_source_id: '' }).ok,
        `${event} source id`,
      ).toBe(false)
      expect(validateSocketEvent(event, without(payload, 'invocation')).ok, `${event} no invocation`).toBe(
        false,
      )
    }
  })

  it('rejects a status outside the enum', () => {
    for (const value of ['done', 'COMPLETED', '', null, 3]) {
      expect(validateSocketEvent('queue_item_status_changed', { ...statusFixture(), status: value }).ok).toBe(
        false,
      )
      expect(validateSessionQueueItem({ ...persistedFixture(), status: value }).ok).toBe(false)
    }
  })

  it('rejects a percentage that is NaN, above 1, below 0 or infinite', () => {
    for (const percentage of [Number.NaN, 1.01, 2, -0.1, Number.POSITIVE_INFINITY]) {
      const checked = validateSocketEvent('invocation_progress', { ...progressFixture(), percentage })
      expect(checked.ok, String(percentage)).toBe(false)
      if (!checked.ok) expect(checked.issues[0]?.path).toBe('percentage')
    }
    expect(validateSocketEvent('invocation_progress', { ...progressFixture(), percentage: 1 }).ok).toBe(true)
    expect(validateSocketEvent('invocation_progress', { ...progressFixture(), percentage: 0 }).ok).toBe(true)
  })

  it('rejects a negative status_sequence and a malformed result or session', () => {
    expect(
      validateSocketEvent('queue_item_status_changed', { ...statusFixture(), status_sequence: -1 }).ok,
    ).toBe(false)
    expect(
      validateSocketEvent('queue_item_status_changed', { ...statusFixture(), status_sequence: 1.5 }).ok,
    ).toBe(false)
    expect(
      validateSocketEvent('invocation_complete', {
        ...fixture('invocation_complete.json'),
        result: { value: 1 },
      }).ok,
    ).toBe(false)
    expect(validateSessionQueueItem(without(persistedFixture(), 'session')).ok).toBe(false)
  })

  it('reports a bounded list of issues for garbage', () => {
    for (const payload of [null, 42, 'text', [], {}]) {
      const checked = validateSocketEvent('invocation_progress', payload)
      expect(checked.ok).toBe(false)
      if (!checked.ok) expect(checked.issues.length).toBeGreaterThan(0)
      if (!checked.ok) expect(checked.issues.length).toBeLessThanOrEqual(10)
    }
  })

  it('knows the socket event names and nothing else', () => {
    expect(isSocketEventName('invocation_complete')).toBe(true)
    expect(isSocketEventName('connect')).toBe(false)
    expect(isSocketEventName('__proto__')).toBe(false)
    expect(isSocketEventName('toString')).toBe(false)
  })
})
