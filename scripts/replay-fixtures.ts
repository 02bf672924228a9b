/*
 * Replays the recorded fixture sequences through an engine store (in order, then as a 6.13 server
 * delivered them: every event twice) and prints each item's node table. `npm run replay`.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  createExecutionStore,
  type QueueItemExecution,
  type SessionQueueItem,
  type SocketEventName,
} from '../src'
import { itemsOf, nodeViewsOf, recentDecisions } from '../src/features/workflowExecution'
import { socketEventActions } from '../src/invokeai'

type Sequence = [SocketEventName, Record<string, unknown>][]

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url))
const load = <T>(name: string): T => JSON.parse(readFileSync(`${fixtures}${name}`, 'utf8')) as T

const persisted = new Map<number, SessionQueueItem>(
  ['session_queue_item.json', 'session_queue_item.failed.json'].map((name) => {
    const item = load<SessionQueueItem>(name)
    return [item.item_id, item]
  }),
)

function twice(sequence: Sequence): Sequence {
  return sequence.flatMap((event) => [event, event])
}

function nodeTypes(item: SessionQueueItem | undefined): Map<string, string> {
  const nodes =
    (item?.session.graph as { nodes?: Record<string, { type?: string }> } | undefined)?.nodes ?? {}
  return new Map(Object.entries(nodes).map(([id, node]) => [id, node.type ?? '?']))
}

function printItem(item: QueueItemExecution) {
  const types = nodeTypes(persisted.get(item.itemId))
  const ignored = recentDecisions(item.decisions).filter((decision) => !decision.applied)
  console.log(
    `  item ${item.itemId}  status ${item.status}  reconciliation ${item.reconciliation.phase}  ` +
      `ignored ${ignored.map((decision) => `${decision.rule}(${decision.event})`).join(' ') || 'none'}`,
  )
  for (const node of Object.values(nodeViewsOf(item))) {
    const outputs = node.outputs.map((output) => output.type).join(', ')
    console.log(
      `    ${(types.get(node.nodeId) ?? '').padEnd(20)} ${node.nodeId.slice(0, 8)}  ${node.status.padEnd(11)} ` +
        `outputs ${node.outputs.length}${outputs ? ` [${outputs}]` : ''}${node.error ? `  error ${node.error.error_type}` : ''}`,
    )
  }
}

async function replay(label: string, sequence: Sequence) {
  // Reconciliation answers from the persisted fixtures, as GET /api/v1/queue/default/i/{id} would.
  const store = createExecutionStore({
    devTools: false,
    canceledReconcileDelayMs: 0,
    fetchQueueItem: async ({ itemId }) => persisted.get(itemId) ?? null,
  })
  for (const [name, payload] of sequence) store.dispatch(socketEventActions[name](payload as never))
  await new Promise((resolve) => setTimeout(resolve, 50))
  console.log(`\n${label}`)
  const { items } = store.getState().workflowExecution
  for (const item of itemsOf(items)) printItem(item)
}

const item42 = load<Sequence>('sequence.item42.completed.json')
const item43 = load<Sequence>('sequence.item43.failed.json')
const tail = load<Sequence>('sequence.item42.v6_13_duplicate_delivery_tail.json')

await replay('Fixture sequences, in server order', [...item42, ...item43])
await replay('The same, every event delivered twice (6.12-6.13)', [
  ...twice(item42),
  ...tail,
  ...twice(item43),
])
