import { expect } from 'vitest'
import type { QueueItemExecution } from '../../src'
import { itemOf, itemsOf } from '../../src/features/workflowExecution'
import { nodesOf } from '../../src/features/workflowExecution/model/read'
import { stripNulls } from '../helpers/wire'
import { ownsRun, REDACTED, seesInFull } from './audience'
import type { CaseResult } from './harness'
import { idsOf, runKey, runsOf, type Epoch } from './server'
import { expectedNodeTable, resultOf, type Copy, type ItemTruth } from './workflowRuns'

/*
 * What the state must be once every run is over on the server and the client is connected to it again.
 *
 * Which run an id stands for. A restart wipes the database and the ids start again from 1, so one id can
 * name two runs. The client knows only what it heard: an item ends as the LAST run of its id that the
 * client got an event or a row of in full (a redacted companion or a sanitized row says nothing: U1), and
 * any word of a later run replaces the earlier one's entity (N2 for an event, R6 for a fetched row, H1
 * for a listed one).
 *
 * What can be promised for a first-epoch run the item still stands for at the end:
 * - if the client had settled it on the server's word (R1 or H3: its persisted row) before the restart,
 *   it is exactly as persisted, as without a restart ('persisted');
 * - otherwise the server lost its row before the client could read it: after a reconnect the engine
 *   asks, and either the id names a later run now (then the client heard of that run, and the item is
 *   that run's) or the server answers 404 (R3). Nothing persisted is left to complete it, so the promise
 *   is only 'lost': settled, stopped (its last heard terminal status, or canceled), no node in progress,
 *   and no output but its own, each at most once. The outputs it delivered before the restart stay
 *   delivered; the rest of its outputs never will be.
 * The same holds for a first-epoch run whose id a later run reused before the client heard its end: the
 * item becomes the later run (whose every output is delivered once), and of the first run the host has
 * what it was told before, nothing more, nothing twice.
 */

type Promised = 'persisted' | 'lost'

interface Expected {
  run: ItemTruth
  promise: Promised
}

function nodeTableOf(item: QueueItemExecution) {
  return Object.fromEntries(
    Object.values(nodesOf(item)).map((node) => [
      node.nodeId,
      { status: node.status, outputs: stripNulls(node.outputs) },
    ]),
  )
}

/** The run each tracked id stands for, and what it is promised; checks that exactly the heard ids are tracked. */
function expectedRuns(result: CaseResult): Map<number, Expected> {
  const { timeline, state, settledAtRestart } = result
  const { heard } = result.hearing
  const last = timeline.epochs.length
  const expected = new Map<number, Expected>()
  for (const itemId of idsOf(timeline.epochs)) {
    const item = itemOf(state.items, itemId)
    const run = runsOf(timeline.epochs, itemId)
      .filter((truth) => heard.has(runKey(truth)))
      .at(-1)
    if (!run) {
      expect(item, `item ${itemId}: never heard of, so not tracked`).toBeUndefined()
      continue
    }
    expect(item, `item ${itemId}: heard of, so tracked`).toBeDefined()
    expect(item?.sessionId, `item ${itemId}: the last run the client heard of`).toBe(run.sessionId)
    const persisted = run.epoch === last || settledAtRestart.has(runKey(run))
    expected.set(itemId, { run, promise: persisted ? 'persisted' : 'lost' })
  }
  return expected
}

function checkItem(item: QueueItemExecution, { run, promise }: Expected) {
  const label = `item ${run.itemId} (${runKey(run)}, ${promise})`
  expect(item.settled, `${label} settled`).toBe(true)
  expect(
    Object.values(nodesOf(item)).filter((node) => node.status === 'IN_PROGRESS'),
    `${label}: no node in progress`,
  ).toEqual([])
  const expectedTable = expectedNodeTable(run.final)
  if (promise === 'persisted') {
    expect(item.status, `${label} status`).toBe(run.final.status)
    expect(nodeTableOf(item), `${label} node table`).toEqual(expectedTable)
    return
  }
  expect([run.final.status, 'canceled'], `${label} status`).toContain(item.status)
  for (const [nodeId, node] of Object.entries(nodeTableOf(item))) {
    const known = (expectedTable[nodeId]?.outputs ?? []).map((output) => JSON.stringify(output))
    for (const output of node.outputs)
      expect(known, `${label} node ${nodeId}: only its own outputs`).toContain(JSON.stringify(output))
  }
}

/** No output twice; each one a completed copy of a run the client heard of, with that copy's output. */
function checkOutputs(result: CaseResult, expected: Map<number, Expected>) {
  const { timeline, outputs, state, viewer } = result
  const { heard } = result.hearing
  const copies = new Map<string, { run: ItemTruth; copy: Copy }>()
  for (const epoch of timeline.epochs)
    for (const run of epoch.items)
      for (const copy of run.completed) copies.set(`${run.itemId}/${copy.preparedId}`, { run, copy })
  const pairs = outputs.map((output) => `${output.itemId}/${output.preparedId}`)
  expect(
    pairs.filter((pair, index) => pairs.indexOf(pair) !== index),
    'no output delivered twice',
  ).toEqual([])
  outputs.forEach((output, index) => {
    const pair = pairs[index] as string
    const found = copies.get(pair)
    expect(found, `output ${pair}: a completed copy of a run with that id`).toBeDefined()
    if (!found) return
    const { run, copy } = found
    expect(
      heard.has(runKey(run)) && seesInFull(viewer, run.userId),
      `output ${pair}: of a run heard of`,
    ).toBe(true)
    expect(itemOf(state.items, output.itemId), `output ${pair}: of a tracked item`).toBeDefined()
    // Not another run's output attributed to this one's node.
    expect(
      { sourceNodeId: output.sourceNodeId, output: stripNulls(output.output), userId: output.userId },
      `output ${pair}`,
    ).toEqual({
      sourceNodeId: copy.sourceId,
      output: stripNulls(resultOf(copy, run.epoch)),
      userId: run.userId,
    })
  })
  // Every persisted output of a run the state stands for as persisted reached the host exactly once.
  for (const { run, promise } of expected.values()) {
    if (promise !== 'persisted') continue
    const prefix = `${run.itemId}/${run.sessionId}/`
    expect(
      pairs.filter((pair) => pair.startsWith(prefix)).sort(),
      `item ${run.itemId} (${runKey(run)}) outputs`,
    ).toEqual(run.completed.map((copy) => `${run.itemId}/${copy.preparedId}`).sort())
  }
}

/** A user never tracks another user's item (U1); only an admin does. */
function checkAudience(result: CaseResult) {
  const { state, viewer } = result
  for (const item of itemsOf(state.items)) {
    expect(item.userId, `item ${item.itemId}: no redacted entity`).not.toBe(REDACTED)
    expect(
      seesInFull(viewer, item.userId),
      `item ${item.itemId} of ${item.userId}: the viewer's to track`,
    ).toBe(true)
  }
}

/**
 * The current run of each origin: the tracked item the server started last among the viewer's own and
 * those without a user (A1: another user's item never is, even for an admin). Epochs run one after the
 * other, and within one the items in id order. Two exceptions for runs the restart wiped: one the client
 * only ever saw pending never started as far as it knows; one whose start time the client never learned
 * (it heard only its copies' events, then the server lost its row) cannot be ordered by it, so it may
 * stand as the current run, or give way to the last-started run whose start time the client knows.
 */
function checkCurrentRuns(result: CaseResult, expected: Map<number, Expected>) {
  const { state, viewer } = result
  const { started, startedAt } = result.hearing
  for (const origin of ['workflows', 'canvas']) {
    const candidates = [...expected.values()]
      .filter(({ run }) => run.origin === origin && ownsRun(viewer, run.userId) && started.has(runKey(run)))
      .sort((a, b) => a.run.epoch - b.run.epoch || a.run.itemId - b.run.itemId)
    const untimed = (candidate: Expected) =>
      candidate.promise === 'lost' && !startedAt.has(runKey(candidate.run))
    const last = candidates.at(-1)?.run.itemId
    const allowed = new Set([
      last,
      candidates.filter((candidate) => !untimed(candidate)).at(-1)?.run.itemId,
      ...candidates.filter(untimed).map((candidate) => candidate.run.itemId),
    ])
    const actual = state.activeItemIdByOrigin[origin]
    if (!allowed.has(actual)) expect(actual, `current run of ${origin}`).toBe(last)
  }
}

/**
 * With a server that answers the listing, the client knows every run it may see that was on the server
 * when it connected or later: the last epoch's runs from the final reconnect's listing at the latest, an
 * earlier epoch's from the first connect's (when that listing answers at once). A run that had stopped
 * before the first connect is known from the listing alone: its outputs come `via: 'hydration'`.
 */
function checkHydration(result: CaseResult) {
  const { client, timeline, state, viewer, outputs, firstConnect } = result
  if (client.hydration === 'unsupported') return
  const visible = (run: ItemTruth) => seesInFull(viewer, run.userId)
  const lastEpoch = timeline.epochs.at(-1) as Epoch
  for (const run of lastEpoch.items.filter(visible))
    expect(
      itemOf(state.items, run.itemId)?.sessionId,
      `${runKey(run)}: listed on reconnect, so tracked`,
    ).toBe(run.sessionId)
  if (client.hydration !== 'answers') return
  const first =
    timeline.epochs.find((epoch) => firstConnect >= epoch.opensAt && firstConnect < epoch.closesAt) ??
    lastEpoch
  for (const epoch of timeline.epochs.filter((candidate) => candidate.index >= first.index))
    for (const run of epoch.items.filter(visible))
      expect(
        itemOf(state.items, run.itemId),
        `${runKey(run)}: on the server at connect, so tracked`,
      ).toBeDefined()
  for (const run of first.items.filter(visible)) {
    const emitted = first.emittedAt.get(run.itemId) as { terminal: number }
    if (emitted.terminal > firstConnect) continue
    const prefix = `${run.sessionId}/`
    const own = outputs.filter(
      (output) => output.itemId === run.itemId && output.preparedId.startsWith(prefix),
    )
    expect(
      own.map((output) => `${output.preparedId} via ${output.via}`).sort(),
      `${runKey(run)} stopped before the client connected: its outputs from the listing, once each`,
    ).toEqual(run.completed.map((copy) => `${copy.preparedId} via hydration`).sort())
  }
}

export function checkConvergence(result: CaseResult) {
  const expected = expectedRuns(result)
  for (const [itemId, run] of expected)
    checkItem(itemOf(result.state.items, itemId) as QueueItemExecution, run)
  checkAudience(result)
  checkOutputs(result, expected)
  checkCurrentRuns(result, expected)
  checkHydration(result)
}
