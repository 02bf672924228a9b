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
