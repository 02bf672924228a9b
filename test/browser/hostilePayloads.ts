/*
 * What a hostile server sends the page: markup in every string (it must stay text), strings of megabytes,
 * outputs thousands of levels deep, arrays of a hundred thousand members, and wrong shapes where the page
 * expects counts or lists. Plain builders: the server decides when to send what.
 */

/** Sets `window.__pwned` if the page ever parses it as markup. */
export const SCRIPT = '<img src=x onerror="window.__pwned=1">'
const SCRIPTS = [
  SCRIPT,
  '"><script>window.__pwned=1</script>',
  "'><svg onload=window.__pwned=1>",
  'javascript:window.__pwned=1',
]

/** A script string, distinct per label (ids and keys must differ). */
export const scriptString = (label: string | number) =>
  `${SCRIPTS[String(label).length % SCRIPTS.length]}${label}`

export const megabytes = (count: number) => 'M'.repeat(count * 1024 * 1024)

/** `{ a: { a: … leaf } }`, `levels` deep, built without recursion. */
export function nested(levels: number, leaf: unknown = scriptString('leaf')): unknown {
  let value = leaf
  for (let level = 0; level < levels; level += 1) value = { a: value }
  return value
}

/** The page's queue is `default`; everything else is hostile. */
function itemBase(itemId: number, origin: string) {
  return {
    timestamp: Date.now() / 1000,
    queue_id: 'default',
    item_id: itemId,
    batch_id: scriptString(`batch-${itemId}`),
    origin,
    destination: scriptString('destination'),
    user_id: null,
  }
}

export function statusChanged(itemId: number, status: string, extra: Record<string, unknown> = {}) {
  return {
    ...itemBase(itemId, 'workflows'),
    status,
    status_sequence: null,
    error_type: null,
    error_message: null,
    error_traceback: null,
    created_at: scriptString('created'),
    updated_at: null,
    started_at: null,
    completed_at: null,
    batch_status: { batch_id: scriptString('b') },
    queue_status: { pending: { nested: true } },
    session_id: scriptString(`session-${itemId}`),
    ...extra,
  }
}

export const HOSTILE_NODES = [scriptString('node-a'), 'node-huge', 'node-deep'] as const

function invocation(itemId: number, nodeId: string, extra: Record<string, unknown>) {
  return {
    ...itemBase(itemId, 'workflows'),
    session_id: scriptString(`session-${itemId}`),
    invocation: { id: `${nodeId}-prepared`, type: scriptString('type') },
    invocation_source_id: nodeId,
    ...extra,
  }
}

/** Outputs the page must show bounded: markup, megabytes, a hundred thousand members, deep nesting. */
export function hostileOutput(nodeId: string, depth: number) {
  return {
    type: scriptString('image_output'),
    image: { image_name: `${scriptString('image')}/../../etc/passwd?x=1#y` },
    text: megabytes(1),
    list: new Array<number>(100_000).fill(1),
    [scriptString('key')]: scriptString('value'),
    deep: nested(depth),
    node: nodeId,
  }
}

/** Socket events of one hostile run, in order: every event kind, and events for items never announced. */
export function hostileRunEvents(itemId: number): [string, unknown][] {
  const events: [string, unknown][] = [['queue_item_status_changed', statusChanged(itemId, 'in_progress')]]
  for (const nodeId of HOSTILE_NODES) {
    events.push(['invocation_started', invocation(itemId, nodeId, {})])
    events.push([
      'invocation_progress',
      invocation(itemId, nodeId, {
        message: scriptString('progress'),
        percentage: 0.5,
        image: {
          width: 64,
          height: 64,
          dataURL: 'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=1"/>',
        },
      }),
    ])
  }
  // Under the engine's depth limit (it is shown, bounded) and far over it (rejected, its preview bounded).
  events.push([
    'invocation_complete',
    invocation(itemId, HOSTILE_NODES[0], { result: hostileOutput('a', 40) }),
  ])
  events.push(['invocation_complete', invocation(itemId, 'node-deep', { result: nested(2_500) })])
  events.push([
    'invocation_error',
    invocation(itemId, 'node-huge', {
      error_type: scriptString('error_type'),
      error_message: megabytes(2),
      error_traceback: megabytes(1),
    }),
  ])
  // Items the page never heard of.
  events.push([
    'invocation_complete',
    invocation(itemId + 500_000, 'ghost', { result: hostileOutput('g', 10) }),
  ])
  events.push(['queue_item_status_changed', statusChanged(itemId + 500_001, 'completed')])
  events.push([
    'queue_item_status_changed',
    statusChanged(itemId, 'failed', { error_type: scriptString('failed'), error_message: megabytes(1) }),
  ])
  return events
}

/** What `GET …/i/{id}` answers for a hostile run: valid, and as hostile as a valid item can be. */
export function hostileQueueItem(itemId: number) {
  const [first, huge, deep] = HOSTILE_NODES
  return {
    item_id: itemId,
    status: 'failed',
    queue_id: 'default',
    batch_id: scriptString('batch'),
    origin: 'workflows',
    session_id: scriptString('session'),
    error_type: scriptString('error_type'),
    error_message: megabytes(1),
    session: {
      id: scriptString('session'),
      graph: {
        nodes: Object.fromEntries(HOSTILE_NODES.map((id) => [id, { id, type: scriptString('graph-type') }])),
        edges: [null, 'edge', { source: { node_id: first }, destination: { node_id: { a: 1 } } }],
      },
      results: {
        [`${first}-prepared`]: hostileOutput('a', 40),
        [`${deep}-prepared`]: hostileOutput('d', 50),
      },
      errors: { [`${huge}-prepared`]: megabytes(1) },
      source_prepared_mapping: Object.fromEntries(HOSTILE_NODES.map((id) => [id, [`${id}-prepared`]])),
      prepared_source_mapping: Object.fromEntries(HOSTILE_NODES.map((id) => [`${id}-prepared`, id])),
    },
  }
}

/** REST answers in the shape the page expects, with hostile strings: `valid`; or in another shape: `wrong`. */
export type RestMode = 'valid' | 'wrong'

export const restAnswers = {
  status: (mode: RestMode) =>
    mode === 'wrong'
      ? {
          queue: {
            pending: { a: 1 },
            in_progress: [1],
            completed: null,
            failed: SCRIPT,
            canceled: -1,
            total: {},
          },
        }
      : {
          queue: {
            queue_id: SCRIPT,
            pending: 1,
            in_progress: 2,
            completed: 3,
            failed: 4,
            canceled: 5,
            total: 15,
          },
          processor: { is_started: SCRIPT },
        },
  scenarios: () => [
    { name: scriptString('scenario'), description: `${SCRIPT}${'d'.repeat(100_000)}` },
    { name: 'plain', description: 'a plain scenario' },
  ],
  delivery: (mode: RestMode) =>
    mode === 'wrong'
      ? { mode: { a: 1 }, eventsBeforeEnqueueResponse: SCRIPT, cancelRace: null, chaos: 'chaos' }
      : {
          mode: 'in_order',
          eventsBeforeEnqueueResponse: false,
          cancelRace: false,
          chaos: null,
          extra: SCRIPT,
        },
  enqueue: (mode: RestMode, itemId: number) =>
    mode === 'wrong' ? { item_ids: { length: 3, 0: SCRIPT } } : { item_ids: [itemId], batch: SCRIPT },
  users: (mode: RestMode) => (mode === 'wrong' ? null : [{ userId: scriptString('user'), token: null }]),
  itemIds: (mode: RestMode) => (mode === 'wrong' ? { item_ids: SCRIPT } : { item_ids: [] }),
}
