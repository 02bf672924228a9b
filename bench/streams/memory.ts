import { macrotask, now, quietHeap } from '../clock'
import type { BenchConfig } from '../config'
import { CONTESTANT_NAMES, createContestant, type ContestantName } from '../contestants'
import { createEngineContestant } from '../contestants/engine'
import {
  count,
  decimal,
  kilobytes,
  megabytes,
  ratio,
  type Outcome,
  type StreamReport,
  type Table,
} from '../report'
import { fromTheWire } from '../wire'
import { itemRun } from './backToBack'

export interface HeapCheckpoint {
  target: number
  itemsRun: number
  itemsHeld: number
  /** Heap with the engine at this point, minus the heap once the engine is dropped. */
  retainedBytes: number
  elapsedMs: number
  cut: boolean
}

export interface ItemSize {
  retainedBytes: number
  /** `JSON.stringify` of the contestant's own record of the item (Maps as objects); null if it keeps none. */
  jsonLength: number | null
}

export interface MemoryStreamReport extends StreamReport {
  checkpoints: HeapCheckpoint[]
  itemSizes: Record<ContestantName, ItemSize>
}

// Maps and Sets stringify as {} otherwise: the mutable contestant's item would look empty.
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value)
  if (value instanceof Set) return [...value]
  return value
}

/**
 * Items of one node each, run to completion one after another, with the heap read at the checkpoints. The
 * event loop turns after each item, as between socket messages, so listeners finish what they left to
 * microtasks (a loop that never yields would keep every one of those pending).
 */
async function heapOverItems(config: BenchConfig['memory']): Promise<HeapCheckpoint[]> {
  const readings = await heapWhileRunning(config)
  // The zero is the heap without the engine, read after it is gone: a baseline read before it was made
  // would still hold what earlier streams left for the collector to find later.
  const without = await quietHeap()
  return readings.map((reading) => ({ ...reading, retainedBytes: reading.retainedBytes - without }))
}

/** The checkpoints with the whole heap as `retainedBytes`. */
async function heapWhileRunning(config: BenchConfig['memory']): Promise<HeapCheckpoint[]> {
  const engine = createEngineContestant({ maxItems: config.maxItems })
  const start = now()
  const checkpoints: HeapCheckpoint[] = []
  const run = { items: 0 }
  for (const target of config.checkpoints) {
    while (run.items < target && now() - start < config.capMs) {
      run.items += 1
      // Fresh strings and objects per event, as socket.io's JSON.parse hands them over.
      engine.feed(itemRun(run.items, 1).map(fromTheWire))
      await macrotask()
    }
    const elapsedMs = now() - start
    checkpoints.push({
      target,
      itemsRun: run.items,
      itemsHeld: engine.itemCount(),
      retainedBytes: await quietHeap(),
      elapsedMs,
      cut: run.items < target,
    })
    if (run.items < target) break
  }
  engine.close()
  return checkpoints
}

/** Retained size of one settled item: several held at once, minus the empty contestant, per item. */
async function sizeOfOneItem(name: ContestantName, config: BenchConfig['memory']): Promise<ItemSize> {
  const contestant = createContestant(name)
  const empty = await quietHeap()
  const firstId = 1_000_000
  for (let held = 0; held < config.itemsHeld; held += 1) {
    contestant.feed(itemRun(firstId + held, config.itemNodes).map(fromTheWire))
    await macrotask()
  }
  const full = await quietHeap()
  const record = contestant.record(firstId)
  const size = {
    retainedBytes: (full - empty) / config.itemsHeld,
    jsonLength: record === undefined ? null : JSON.stringify(record, jsonReplacer).length,
  }
  contestant.close()
  return size
}

/** f. Memory: the engine's heap over many items with eviction, and what one settled item costs. */
export async function runMemoryStream(config: BenchConfig): Promise<MemoryStreamReport> {
  const memory = config.memory
  const checkpoints = await heapOverItems(memory)
  const itemSizes = {} as Record<ContestantName, ItemSize>
  for (const name of CONTESTANT_NAMES) itemSizes[name] = await sizeOfOneItem(name, memory)

  const heapTable: Table = {
    headers: ['items run (engine)', 'items held', 'retained heap', 'time'],
    rows: checkpoints.map((checkpoint) => [
      checkpoint.cut
        ? `${count(checkpoint.itemsRun)} of ${count(checkpoint.target)} (cut at ${decimal(memory.capMs / 1000)} s)`
        : count(checkpoint.itemsRun),
      count(checkpoint.itemsHeld),
      megabytes(checkpoint.retainedBytes),
      `${decimal(checkpoint.elapsedMs / 1000)} s`,
    ]),
  }
  const sizeTable: Table = {
    headers: [
      'contestant',
      `retained per settled ${memory.itemNodes}-node item`,
      'JSON.stringify length',
      'retained/JSON',
    ],
    rows: CONTESTANT_NAMES.map((name) => {
      const size = itemSizes[name]
      return [
        name,
        kilobytes(size.retainedBytes),
        size.jsonLength === null ? 'n/a (keeps no item record)' : `${count(size.jsonLength)} chars`,
        size.jsonLength === null ? '—' : ratio(size.retainedBytes / size.jsonLength),
      ]
    }),
  }
  const outcomes: Outcome[] = []
  return {
    title: 'f. Memory',
    notes: [
      'Retained heap (`process.memoryUsage().heapUsed` after `gc()`) with the engine, minus the heap once ' +
        'it is dropped, after items of one node each (in_progress, started, 2 progress, complete, ' +
        `completed) ran through the engine with \`maxItems: ${memory.maxItems}\`; payloads are JSON-parsed ` +
        `copies, as a socket delivers them. Time cap ${decimal(memory.capMs / 1000)} s. Only the engine ` +
        'evicts, so only it runs this part.',
      `One settled item: ${memory.itemNodes} nodes, each started, 2 progress, complete with an image ` +
        `output; the mean over ${memory.itemsHeld} such items held at once, beside the JSON length of the ` +
        "contestant's own record of one of them.",
    ],
    tables: [heapTable, sizeTable],
    outcomes,
    checkpoints,
    itemSizes,
  }
}
