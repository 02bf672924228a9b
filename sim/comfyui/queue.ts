// The pending prompts: a binary min-heap on (number, prompt_id), as core keeps them. `GET /queue` lists
// the heap array as it is, so clients see heap order, not sorted order, as they do on a real server.
import type { ApiPrompt, ExtraData, QueueTuple } from './types'

export interface QueueItem {
  number: number
  promptId: string
  prompt: ApiPrompt
  extraData: ExtraData
  outputs: string[]
}

export const tupleOf = (item: QueueItem): QueueTuple => [
  item.number,
  item.promptId,
  item.prompt,
  item.extraData,
  item.outputs,
]

/** Lower number first; equal numbers by prompt id, as tuples compare. */
const before = (a: QueueItem, b: QueueItem) =>
  a.number !== b.number ? a.number < b.number : a.promptId < b.promptId

export type PromptQueue = ReturnType<typeof createPromptQueue>

export function createPromptQueue() {
  const heap: QueueItem[] = []

  const swap = (i: number, j: number) => {
    const item = heap[i] as QueueItem
    heap[i] = heap[j] as QueueItem
    heap[j] = item
  }
  const up = (start: number) => {
    for (let i = start; i > 0;) {
      const parent = (i - 1) >> 1
      if (!before(heap[i] as QueueItem, heap[parent] as QueueItem)) return
      swap(i, parent)
      i = parent
    }
  }
  const down = (start: number) => {
    for (let i = start; ;) {
      const left = 2 * i + 1
      const right = left + 1
      let least = i
      if (left < heap.length && before(heap[left] as QueueItem, heap[least] as QueueItem)) least = left
      if (right < heap.length && before(heap[right] as QueueItem, heap[least] as QueueItem)) least = right
      if (least === i) return
      swap(i, least)
      i = least
    }
  }
  const heapify = () => {
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i)
  }

  return {
    put(item: QueueItem) {
      heap.push(item)
      up(heap.length - 1)
    },
    /** The next prompt to run, or undefined. */
    pop(): QueueItem | undefined {
      const top = heap[0]
      const last = heap.pop()
      if (top && last && last !== top) {
        heap[0] = last
        down(0)
      }
      return top
    },
    /** Removes a pending prompt; false when it is not pending. */
    remove(promptId: string): boolean {
      const index = heap.findIndex((item) => item.promptId === promptId)
      if (index < 0) return false
      heap.splice(index, 1)
      heapify()
      return true
    },
    /** Removes every pending prompt and returns their ids. */
    clear(): string[] {
      return heap.splice(0).map((item) => item.promptId)
    },
    get: (promptId: string) => heap.find((item) => item.promptId === promptId),
    /** The heap array, in heap order. */
    items: (): readonly QueueItem[] => [...heap],
    size: () => heap.length,
  }
}
