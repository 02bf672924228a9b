/** ComfyUI frames in the shapes docs/comfyui.md §2 gives, every field present as the server writes it. */

export const PROMPT_ID = '3328f0c8-5c9e-4b7a-9d43-2f4f3b8f9a11'

export const frame = (type: string, data: unknown) => JSON.stringify({ type, data })

export const statusFrame = (queueRemaining: number, sid?: string) =>
  frame('status', { status: { exec_info: { queue_remaining: queueRemaining } }, ...(sid ? { sid } : {}) })

export const executingFrame = (node: string | null, promptId: string | null = PROMPT_ID) =>
  frame(
    'executing',
    node === null
      ? { node: null, prompt_id: promptId }
      : promptId === null
        ? { node } // the reconnect replay: no prompt id, no display node
        : { node, display_node: node, prompt_id: promptId },
  )

export const progressStateFrame = (nodes: Record<string, 'running' | 'finished'>, promptId = PROMPT_ID) =>
  frame('progress_state', {
    prompt_id: promptId,
    nodes: Object.fromEntries(
      Object.entries(nodes).map(([id, state]) => [
        id,
        {
          value: state === 'finished' ? 1 : 0,
          max: 1,
          state,
          node_id: id,
          prompt_id: promptId,
          display_node_id: id,
          parent_node_id: null,
          real_node_id: id,
        },
      ]),
    ),
  })

export const executedFrame = (node: string, filename: string, promptId = PROMPT_ID) =>
  frame('executed', {
    node,
    display_node: node,
    prompt_id: promptId,
    output: { images: [{ filename, subfolder: '', type: 'output' }] },
  })

export const executionErrorFrame = (
  node: string,
  exceptionType = 'torch.OutOfMemoryError',
  promptId = PROMPT_ID,
) =>
  frame('execution_error', {
    prompt_id: promptId,
    node_id: node,
    node_type: 'KSampler',
    executed: ['4', '5'],
    exception_message: 'out of memory\n',
    exception_type: exceptionType,
    traceback: exceptionType === 'ExecutionBlocked' ? [] : ['File "execution.py", line 1'],
    current_inputs: exceptionType === 'ExecutionBlocked' ? [] : { seed: ['42'] },
    current_outputs: exceptionType === 'ExecutionBlocked' ? [] : ['4', '5', '7'],
    // ExecutionBlocked is sent with send_sync: no timestamp.
    ...(exceptionType === 'ExecutionBlocked' ? {} : { timestamp: 1756000000500 }),
  })

/** A binary frame: the 4-byte big-endian type, then each part (numbers as 4-byte big-endian words). */
export function binaryFrame(
  type: number,
  ...parts: (number | string | Uint8Array)[]
): Uint8Array<ArrayBuffer> {
  const chunks = parts.map((part) => {
    if (typeof part === 'number') {
      const word = new Uint8Array(4)
      new DataView(word.buffer).setUint32(0, part)
      return word
    }
    return typeof part === 'string' ? new TextEncoder().encode(part) : part
  })
  return binaryFrameOf(type, chunks)
}

function binaryFrameOf(type: number, chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(4 + chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0))
  new DataView(out.buffer).setUint32(0, type)
  let at = 4
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}

/* REST answers (docs/comfyui.md §4.2, §4.3, §4.5): history entries, jobs and queue tuples. */

/** An API-format prompt: the default text-to-image graph, plus a loader (10) no output needs. */
export const apiPrompt = (): Record<string, { class_type: string; inputs: Record<string, unknown> }> => ({
  '3': {
    class_type: 'KSampler',
    inputs: { seed: 42, model: ['4', 0], positive: ['6', 0], negative: ['7', 0], latent_image: ['5', 0] },
  },
  '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'model.safetensors' } },
  '5': { class_type: 'EmptyLatentImage', inputs: { width: 512, height: 512, batch_size: 1 } },
  '6': { class_type: 'CLIPTextEncode', inputs: { text: 'a cat', clip: ['4', 1] } },
  '7': { class_type: 'CLIPTextEncode', inputs: { text: 'blurry', clip: ['4', 1] } },
  '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
  '9': { class_type: 'SaveImage', inputs: { images: ['8', 0], filename_prefix: 'ComfyUI' } },
  '10': { class_type: 'LoadImage', inputs: { image: 'unused.png' } },
})

/** A node's UI output with one image. */
export const imageOutput = (filename: string, type = 'output') => ({
  images: [{ filename, subfolder: '', type }],
})

/** `[number, prompt_id, prompt, extra_data, outputs_to_execute]`, as `GET /queue` and history hold it. */
export const queueTuple = (
  number: number,
  promptId: string = PROMPT_ID,
  options: { prompt?: unknown; outputs?: string[]; clientId?: string | null } = {},
) => [
  number,
  promptId,
  options.prompt ?? apiPrompt(),
  {
    ...(options.clientId === null ? {} : { client_id: options.clientId ?? 'client-1' }),
    create_time: 1756000000000 + number,
  },
  options.outputs ?? ['9'],
]

export interface HistoryEntryOptions {
  promptId?: string
  number?: number
  prompt?: unknown
  outputsToExecute?: string[]
  /** Per runtime node id (maybe ephemeral): its UI output. */
  outputs?: Record<string, Record<string, unknown>>
  /** Per runtime node id: where it displays; defaults to the node itself for every output. */
  displayNodes?: Record<string, string>
  cached?: string[]
  /** How it ended: success, an error at `node`, or an interrupt at `node`. */
  end?: 'success' | 'error' | 'interrupted'
  node?: string
  nodeType?: string
  executed?: string[]
  startedAt?: number
}

/** A `GET /history/{id}` entry, every field as the server writes it. */
export function historyEntry(options: HistoryEntryOptions = {}) {
  const promptId = options.promptId ?? PROMPT_ID
  const start = options.startedAt ?? 1756000000123
  const outputs = options.outputs ?? { '9': imageOutput('ComfyUI_00001_.png') }
  const end = options.end ?? 'success'
  const message = (type: string, data: Record<string, unknown>, at: number) => [
    type,
    { prompt_id: promptId, ...data, timestamp: start + at },
  ]
  const last =
    end === 'success'
      ? message('execution_success', {}, 9000)
      : end === 'error'
        ? message(
            'execution_error',
            {
              node_id: options.node ?? '3',
              node_type: options.nodeType ?? 'KSampler',
              executed: options.executed ?? [],
              exception_message: 'out of memory\n',
              exception_type: 'torch.OutOfMemoryError',
              traceback: ['  File "execution.py", line 1, in execute\n', '    raise\n'],
              current_inputs: { seed: ['42'] },
              current_outputs: options.executed ?? [],
            },
            9000,
          )
        : message(
            'execution_interrupted',
            {
              node_id: options.node ?? '3',
              node_type: options.nodeType ?? 'KSampler',
              executed: options.executed ?? [],
            },
            9000,
          )
  return {
    prompt: queueTuple(options.number ?? 3, promptId, {
      prompt: options.prompt ?? apiPrompt(),
      outputs: options.outputsToExecute ?? ['9'],
    }),
    outputs,
    status: {
      status_str: end === 'success' ? 'success' : 'error',
      completed: end === 'success',
      messages: [
        message('execution_start', {}, 0),
        message('execution_cached', { nodes: options.cached ?? [] }, 2),
        last,
      ],
    },
    meta: Object.fromEntries(
      Object.keys(outputs).map((node) => [
        node,
        {
          node_id: node,
          display_node: options.displayNodes?.[node] ?? node,
          parent_node: null,
          real_node_id: options.displayNodes?.[node] ?? node,
        },
      ]),
    ),
  }
}

type HistoryEntryBody = ReturnType<typeof historyEntry>

/** `GET /api/jobs/{id}` for a prompt in history: the status derived as the server derives it. */
export function jobOfEntry(entry: HistoryEntryBody, promptId: string = PROMPT_ID) {
  const messages = entry.status.messages as [string, Record<string, unknown>][]
  const find = (type: string) => messages.find(([name]) => name === type)?.[1]
  const interrupted = find('execution_interrupted') !== undefined
  const status = entry.status.status_str === 'success' ? 'completed' : interrupted ? 'cancelled' : 'failed'
  const [number, , prompt, extraData] = entry.prompt
  const end = find('execution_success') ?? find('execution_error') ?? find('execution_interrupted')
  return {
    id: promptId,
    status,
    priority: number,
    create_time: (extraData as { create_time: number }).create_time,
    execution_start_time: find('execution_start')?.timestamp,
    execution_end_time: end?.timestamp,
    ...(status === 'failed' ? { execution_error: find('execution_error') } : {}),
    outputs_count: Object.keys(entry.outputs).length,
    outputs: entry.outputs,
    execution_status: entry.status,
    workflow: { prompt, extra_data: extraData },
  }
}

/** `GET /api/jobs/{id}` for a prompt still queued or running: no outputs, no execution status. */
export const activeJob = (status: 'pending' | 'in_progress', promptId: string = PROMPT_ID) => {
  const [number, , prompt, extraData] = queueTuple(5, promptId)
  return {
    id: promptId,
    status,
    priority: number,
    create_time: (extraData as { create_time: number }).create_time,
    ...(status === 'in_progress' ? { execution_start_time: 1756000000123 } : {}),
    outputs: {},
    workflow: { prompt, extra_data: extraData },
  }
}

/*
 * Frames of any prompt, node and display node, as the server writes them (the convergence property's
 * server builds its runs from these). Timestamps are the persisted messages' own: the same in the frame
 * and in the history entry.
 */

export const executionStartFrame = (promptId: string, timestamp: number) =>
  frame('execution_start', { prompt_id: promptId, timestamp })

export const executionCachedFrame = (nodes: string[], promptId: string, timestamp: number) =>
  frame('execution_cached', { nodes, prompt_id: promptId, timestamp })

/** A node starts; `display` is where it shows (an ephemeral node shows on the node that expanded it). */
export const executingNodeFrame = (node: string, display: string, promptId: string) =>
  frame('executing', { node, display_node: display, prompt_id: promptId })

export interface NodeProgressEntry {
  node: string
  display: string
  /** The prompt node an ephemeral node stands for (itself otherwise). */
  real: string
  value: number
  max: number
  state: 'running' | 'finished'
}

/** The whole prompt's progress: every node that left pending, in the order it did. */
export const progressStateOf = (promptId: string, entries: readonly NodeProgressEntry[]) =>
  frame('progress_state', {
    prompt_id: promptId,
    nodes: Object.fromEntries(
      entries.map((entry) => [
        entry.node,
        {
          value: entry.value,
          max: entry.max,
          state: entry.state,
          node_id: entry.node,
          prompt_id: promptId,
          display_node_id: entry.display,
          parent_node_id: entry.real === entry.node ? null : entry.real,
          real_node_id: entry.real,
        },
      ]),
    ),
  })

/** `progress` names the display node (the server's `last_node_id`). */
export const progressOf = (promptId: string, node: string, value: number, max: number) =>
  frame('progress', { value, max, prompt_id: promptId, node })

export const executedOutputFrame = (
  node: string,
  display: string,
  output: Record<string, unknown> | null,
  promptId: string,
) => frame('executed', { node, display_node: display, output, prompt_id: promptId })

export const executionSuccessFrame = (promptId: string, timestamp: number) =>
  frame('execution_success', { prompt_id: promptId, timestamp })

export interface StopFrameOptions {
  promptId: string
  node: string
  nodeType: string
  executed: string[]
  timestamp: number
}

/** The terminal error, with the fields `historyEntry({ end: 'error' })` persists. */
export const executionFailedFrame = ({ promptId, node, nodeType, executed, timestamp }: StopFrameOptions) =>
  frame('execution_error', {
    prompt_id: promptId,
    node_id: node,
    node_type: nodeType,
    executed,
    exception_message: 'out of memory\n',
    exception_type: 'torch.OutOfMemoryError',
    traceback: ['  File "execution.py", line 1, in execute\n', '    raise\n'],
    current_inputs: { seed: ['42'] },
    current_outputs: executed,
    timestamp,
  })

/** A node's non-terminal ExecutionBlocked error: empty lists, no timestamp, never persisted. */
export const executionBlockedFrame = (options: Omit<StopFrameOptions, 'timestamp'>) =>
  frame('execution_error', {
    prompt_id: options.promptId,
    node_id: options.node,
    node_type: options.nodeType,
    executed: options.executed,
    exception_message: `Execution of node ${options.node} was blocked`,
    exception_type: 'ExecutionBlocked',
    traceback: [],
    current_inputs: [],
    current_outputs: [],
  })

export const executionInterruptedFrame = ({
  promptId,
  node,
  nodeType,
  executed,
  timestamp,
}: StopFrameOptions) =>
  frame('execution_interrupted', {
    prompt_id: promptId,
    node_id: node,
    node_type: nodeType,
    executed,
    timestamp,
  })

/** A type-4 preview (the client negotiated supports_preview_metadata): it names its prompt and node. */
export const previewWithMetadataFrame = (
  metadata: { promptId: string; node: string; display: string; real: string },
  image: Uint8Array,
) => {
  const json = JSON.stringify({
    node_id: metadata.node,
    prompt_id: metadata.promptId,
    display_node_id: metadata.display,
    parent_node_id: metadata.real === metadata.node ? null : metadata.real,
    real_node_id: metadata.real,
    image_type: 'image/png',
  })
  const text = new TextEncoder().encode(json)
  return binaryFrame(4, text.byteLength, text, image)
}

/** A type-1 preview (PNG): no ids, broadcast for a prompt without a client. */
export const previewFrame = (image: Uint8Array) => binaryFrame(1, 2, image)

/** `GET /queue`: the running prompts and the pending ones, as tuples. */
export const queueAnswer = (running: unknown[], pending: unknown[]) => ({
  queue_running: running,
  queue_pending: pending,
})
