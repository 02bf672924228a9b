import { expect } from 'vitest'
import type { QueueItemExecution } from '../../src'
import { itemOf, itemsOf } from '../../src/features/workflowExecution'
import { nodesOf } from '../../src/features/workflowExecution/model/read'
import { trieGet } from '../../src/features/workflowExecution/model/structures/hashTrie'
import type { CaseResult } from './harness'
import type { ScheduledPrompt } from './server'

/*
 * What the state must be once every prompt is over on the server, the server is healthy and the client
 * is connected to it again. ComfyUI keeps every prompt's history (no restart here), so whatever the
 * socket lost, every prompt of this client ends exactly as the server persisted it:
 * - settled on the server's word, with its status: completed, failed, canceled (interrupted), or
 *   canceled because the server holds it nowhere (deleted or cleared while pending: "gone");
 * - each node that runs as the history entry says (run.ts states it from the run): completed, failed,
 *   canceled (cut short or never reached), served from cache or not, with its persisted output; no node
 *   the run does not have, none in progress;
 * - every persisted output announced exactly once (by item and runtime node id), on its display node;
 * - an ExecutionBlocked node never made its item fail, not even for a moment.
 * The API script's prompt (no client id: only its broadcasts reach this socket) is never tracked because
 * of its frames. The engine does track what `GET /queue` lists on a (re)connect, whoever queued it: a
 * listed prompt is tracked from that listing on, and then ends as the server persisted it too.
 */

function nodeTableOf(item: QueueItemExecution) {
  return Object.fromEntries(
    Object.values(nodesOf(item)).map((node) => [
      node.nodeId,
      { status: node.status, outputs: node.outputs, cached: node.cached === true },
    ]),
  )
}

function itemOfPrompt(result: CaseResult, prompt: ScheduledPrompt): QueueItemExecution | undefined {
  const itemId = trieGet(result.state.itemIdByRunKey, prompt.promptId)
  return itemId === undefined ? undefined : itemOf(result.state.items, itemId)
}

function checkPrompt(result: CaseResult, prompt: ScheduledPrompt, item: QueueItemExecution) {
  const { truth } = prompt
  const label = `${prompt.label} (${prompt.realized}, item ${item.itemId})`
  expect(item.sessionId, `${label}: the prompt's item`).toBe(prompt.promptId)
  expect(item.settled, `${label} settled`).toBe(true)
  expect(item.reconciliation.phase, `${label}: settled on the server's word`).toBe('done')
  expect(item.status, `${label} status`).toBe(truth.status)
  expect(item.reconciliation.snapshotStatus, `${label}: what the server said last`).toBe(
    truth.gone ? 'gone' : truth.status,
  )
  expect(
    Object.values(nodesOf(item)).filter((node) => node.status === 'IN_PROGRESS'),
    `${label}: no node in progress`,
  ).toEqual([])
  expect(nodeTableOf(item), `${label} node table`).toEqual(truth.nodes)
  if (truth.status === 'failed')
    expect(item.error?.error_type, `${label}: the persisted error`).toBe('torch.OutOfMemoryError')
  else {
    const seen = result.statuses.get(prompt.promptId) ?? []
    const blocked = truth.blocked === null ? '' : ` (node ${truth.blocked} was ExecutionBlocked)`
    expect(seen, `${label}: never failed${blocked}`).not.toContain('failed')
  }
}

/** Every persisted output of this client's prompts announced once, on its display node, and nothing else. */
function checkOutputs(result: CaseResult) {
  const { outputs, timeline } = result
  const pairs = outputs.map((output) => `${output.itemId}/${output.preparedId}`)
  expect(
    pairs.filter((pair, index) => pairs.indexOf(pair) !== index),
    'no output announced twice',
  ).toEqual([])
  for (const prompt of timeline.prompts) {
    const item = itemOfPrompt(result, prompt)
    if (!item) continue
    const announced = outputs
      .filter((output) => output.itemId === item.itemId)
      .map(({ preparedId, sourceNodeId, output }) => ({ preparedId, sourceNodeId, output }))
      .sort((a, b) => (a.preparedId < b.preparedId ? -1 : 1))
    const persisted = [...prompt.truth.outputs].sort((a, b) => (a.preparedId < b.preparedId ? -1 : 1))
    expect(announced, `${prompt.label}: every persisted output announced once`).toEqual(persisted)
  }
  const tracked = new Set(itemsOf(result.state.items).map((item) => item.itemId))
  for (const output of outputs)
    expect(tracked.has(output.itemId), `output ${output.preparedId}: of a tracked item`).toBe(true)
}

export function checkConvergence(result: CaseResult) {
  expect(result.rejected, 'every frame the server sent is valid').toEqual([])
  const own = result.timeline.prompts.filter((prompt) => prompt.own)
  for (const prompt of result.timeline.prompts) {
    const item = itemOfPrompt(result, prompt)
    if (!prompt.own) {
      // Neither its broadcasts nor a queue listing make another client's prompt an item.
      expect(item, `${prompt.label}: another client's prompt is not tracked`).toBeUndefined()
      continue
    }
    expect(item, `${prompt.label}: tracked from its submission`).toBeDefined()
    if (item) checkPrompt(result, prompt, item)
  }
  expect(
    itemsOf(result.state.items)
      .map((item) => item.sessionId)
      .sort(),
    "only this client's prompts are tracked",
  ).toEqual(own.map((prompt) => prompt.promptId).sort())
  checkOutputs(result)
}
