import { createElement, Fragment, memo, useCallback, useSyncExternalStore, type ReactElement } from 'react'
import { Provider, useSelector } from 'react-redux'
import { createExecutionHooks, useItemNodeExecutionState } from '../../src/react'
import { macrotask, now } from '../clock'
import type { BenchConfig } from '../config'
import type { Contestant } from '../contestants'
import { createEngineContestant } from '../contestants/engine'
import { createFloorContestant, type FloorState } from '../contestants/floor'
import { createMutableContestant } from '../contestants/mutable'
import { installDom, type FrameClock } from '../dom'
import { preparedIdOf, sourceIdOf } from '../ids'
import { count, decimal, ratio, type StreamReport, type Table } from '../report'
import { interleavedRounds, medians } from '../rounds'
import { wire, type WireEvent } from '../wire'
import { runningItem } from './steady'

const ITEM_ID = 1
/** Progress events a fast node sends within one frame, in the burst delivery. */
const BURST = 10

/** Components per memoized group in the grouped layouts: a parent of 1,000 children is what React walks. */
const GROUP = 32

const READERS = [
  'engine',
  'engine, context hooks',
  'floor',
  'mutable',
  'engine, grouped',
  'mutable, grouped',
] as const
type Reader = (typeof READERS)[number]

export const DELIVERIES = {
  frame: 'one event per frame',
  burst: `${BURST} events on one node per frame`,
} as const
export type Delivery = keyof typeof DELIVERIES

type Run = `${Reader}/${Delivery}` | 'alone'
const RUNS: readonly Run[] = [
  ...READERS.flatMap((reader) =>
    (['frame', 'burst'] as const).map((delivery) => `${reader}/${delivery}` as const),
  ),
  'alone',
]

interface RenderCounter {
  total: number
  byNode: Map<string, number>
}

function counted(counter: RenderCounter, nodeId: string): void {
  counter.total += 1
  counter.byNode.set(nodeId, (counter.byNode.get(nodeId) ?? 0) + 1)
}

function card(status: string | undefined, progress: number | null | undefined): ReactElement {
  return createElement('p', null, `${status ?? 'none'} ${progress ?? '-'}`)
}

/** Per-node subscriptions for state mutated in place: no reference changes that a selector could see. */
function createNodeHub() {
  const listeners = new Map<string, Set<() => void>>()
  const versions = new Map<string, number>()
  return {
    subscribe(nodeId: string, listener: () => void): () => void {
      const set = listeners.get(nodeId) ?? new Set()
      set.add(listener)
      listeners.set(nodeId, set)
      return () => set.delete(listener)
    },
    version: (nodeId: string): number => versions.get(nodeId) ?? 0,
    changed(nodeId: string): void {
      versions.set(nodeId, (versions.get(nodeId) ?? 0) + 1)
      for (const listener of listeners.get(nodeId) ?? []) listener()
    },
  }
}

export interface ReactRunResult {
  /** The highest over the kept rounds. */
  rendersPerEvent: number
  /** Nodes whose renders differ from the frames that changed them, summed over kept rounds (0 = exact). */
  mismatchedNodes: number
  usPerEvent: number
}

export interface ReactStreamReport extends StreamReport {
  readers: Record<Reader, Record<Delivery, ReactRunResult>>
  alone: ReactRunResult
}

/** g. React: many mounted readers of one node each; what a progress event costs in renders and time. */
export async function runReactStream(config: BenchConfig): Promise<ReactStreamReport> {
  const dom = installDom()
  try {
    return await measure(config, dom.frames)
  } finally {
    // React's scheduler still runs passive effects of the unmount on later ticks: they need the DOM.
    for (let tick = 0; tick < 5; tick += 1) await macrotask()
    dom.restore()
  }
}

interface Mounted {
  contestant: Contestant
  counter: RenderCounter
  /** Per node, the percentage of its last event: the next one always differs, so it always changes state. */
  high: Map<string, boolean>
  unmount(): void
}

async function measure(config: BenchConfig, frames: FrameClock): Promise<ReactStreamReport> {
  const { components, eventsPerRound } = config.react
  // Only now: react-dom decides at import time whether it runs in a DOM.
  const { createRoot } = await import('react-dom/client')
  const { flushSync } = await import('react-dom')
  const nodeIds = Array.from({ length: components }, (_, node) => sourceIdOf(node))
  const frameCount = Math.max(1, Math.floor(eventsPerRound / BURST))
  const events = frameCount * BURST

  function rootIn(): { render(element: ReactElement): void; unmount(): void } {
    const container = document.createElement('div')
    document.body.appendChild(container)
    const root = createRoot(container)
    return {
      render: (element) => flushSync(() => root.render(element)),
      unmount: () => {
        flushSync(() => root.unmount())
        container.remove()
      },
    }
  }

  function mount(contestant: Contestant, counter: RenderCounter, tree: ReactElement): Mounted {
    contestant.feed(runningItem(ITEM_ID, components))
    const root = rootIn()
    root.render(tree)
    return { contestant, counter, high: new Map(), unmount: root.unmount }
  }

  // Stores are made after installDom: RTK's auto-batching takes the hand-run frames from the window then.
  /** Bound: hooks from `createExecutionHooks(store)`; context: the exported hooks under `<Provider>`. */
  function engineReader(hooks: 'bound' | 'context') {
    const contestant = createEngineContestant()
    const counter: RenderCounter = { total: 0, byNode: new Map() }
    const useNode =
      hooks === 'bound'
        ? createExecutionHooks(contestant.store).useItemNodeExecutionState
        : useItemNodeExecutionState
    function EngineNode({ nodeId }: { nodeId: string }) {
      const node = useNode(ITEM_ID, nodeId)
      counted(counter, nodeId)
      return card(node?.status, node?.progress)
    }
    return { contestant, counter, component: EngineNode }
  }

  const floor = createFloorContestant()
  const floorCounter: RenderCounter = { total: 0, byNode: new Map() }
  function FloorNode({ nodeId }: { nodeId: string }) {
    const node = useSelector((state: FloorState) => state.items[ITEM_ID]?.nodes[nodeId])
    counted(floorCounter, nodeId)
    return card(node?.status, node?.progress)
  }

  function mutableReader() {
    const hub = createNodeHub()
    const contestant = createMutableContestant({ onNodeChange: (_itemId, nodeId) => hub.changed(nodeId) })
    const counter: RenderCounter = { total: 0, byNode: new Map() }
    function MutableNode({ nodeId }: { nodeId: string }) {
      const subscribe = useCallback((listener: () => void) => hub.subscribe(nodeId, listener), [nodeId])
      useSyncExternalStore(subscribe, () => hub.version(nodeId))
      const node = contestant.items.get(ITEM_ID)?.nodes.get(nodeId)
      counted(counter, nodeId)
      return card(node?.status, node?.progress)
    }
    return { contestant, counter, component: MutableNode }
  }

  const readersOf = (component: (props: { nodeId: string }) => ReactElement) =>
    nodeIds.map((nodeId) => createElement(component, { key: nodeId, nodeId }))
  // The same readers in memoized groups: an update walks its group's siblings, not all of them.
  const Group = memo(function Group({ children }: { children: ReactElement[] }) {
    return createElement(Fragment, null, ...children)
  })
  const grouped = (children: ReactElement[]) =>
    Array.from({ length: Math.ceil(children.length / GROUP) }, (_, group) =>
      createElement(Group, { key: group, children: children.slice(group * GROUP, (group + 1) * GROUP) }),
    )
  const underProvider = (
    store: ReturnType<typeof createEngineContestant>['store'],
    children: ReactElement[],
  ) => createElement(Provider, { store: store as never, children })
  const engine = engineReader('bound')
  const engineContext = engineReader('context')
  const engineGrouped = engineReader('bound')
  const mutable = mutableReader()
  const mutableGrouped = mutableReader()
  const mounted: Record<Reader, Mounted> = {
    engine: mount(
      engine.contestant,
      engine.counter,
      createElement(Fragment, null, ...readersOf(engine.component)),
    ),
    'engine, context hooks': mount(
      engineContext.contestant,
      engineContext.counter,
      underProvider(engineContext.contestant.store, readersOf(engineContext.component)),
    ),
    floor: mount(
      floor,
      floorCounter,
      createElement(Provider, { store: floor.store, children: readersOf(FloorNode) }),
    ),
    mutable: mount(
      mutable.contestant,
      mutable.counter,
      createElement(Fragment, null, ...readersOf(mutable.component)),
    ),
    'engine, grouped': mount(
      engineGrouped.contestant,
      engineGrouped.counter,
      createElement(Fragment, null, ...grouped(readersOf(engineGrouped.component))),
    ),
    'mutable, grouped': mount(
      mutableGrouped.contestant,
      mutableGrouped.counter,
      createElement(Fragment, null, ...grouped(readersOf(mutableGrouped.component))),
    ),
  }

  const aloneCounter: RenderCounter = { total: 0, byNode: new Map() }
  function AloneNode({ progress }: { progress: number }) {
    counted(aloneCounter, 'alone')
    return card('IN_PROGRESS', progress)
  }
  const alone = rootIn()
  alone.render(createElement(AloneNode, { progress: 0 }))

  /** The next round's events for one reader; frame `f` is events `f·BURST .. f·BURST+BURST-1`. */
  function eventsFor(target: Mounted, delivery: Delivery, round: number): WireEvent[] {
    return Array.from({ length: events }, (_, k) => {
      const frame = Math.floor(k / BURST)
      // One event per frame: each on another node. Burst: a frame's events all on one node.
      const node = (delivery === 'frame' ? round * events + k : round * frameCount + frame) % components
      const nodeId = sourceIdOf(node)
      const high = !(target.high.get(nodeId) ?? false)
      target.high.set(nodeId, high)
      return wire.progress({ itemId: ITEM_ID }, preparedIdOf(ITEM_ID, node), nodeId, high ? 0.75 : 0.25)
    })
  }

  const renders = Object.fromEntries(RUNS.map((run) => [run, [] as number[]])) as Record<Run, number[]>
  const mismatches = Object.fromEntries(RUNS.map((run) => [run, 0])) as Record<Run, number>

  const samples = await interleavedRounds(
    RUNS,
    { ...config.react, collectBetweenRounds: config.collectBetweenRounds },
    (run, round) => {
      const kept = round >= config.react.warmupRounds
      if (run === 'alone') {
        aloneCounter.total = 0
        const start = now()
        for (let k = 0; k < events; k += 1)
          alone.render(createElement(AloneNode, { progress: (k + 1) / (events + 1) }))
        const us = ((now() - start) * 1000) / events
        if (kept) renders.alone.push(aloneCounter.total / events)
        return us
      }
      const [reader, delivery] = run.split('/') as [Reader, Delivery]
      const target = mounted[reader]
      const batch = eventsFor(target, delivery, round)
      const perFrame = delivery === 'frame' ? 1 : BURST
      target.counter.total = 0
      target.counter.byNode.clear()
      const start = now()
      for (let at = 0; at < batch.length; at += perFrame) {
        // The frame ends inside flushSync, so the renders it causes are committed on this event's clock.
        flushSync(() => {
          target.contestant.feed(batch, at, at + perFrame)
          frames.run()
        })
      }
      const us = ((now() - start) * 1000) / batch.length
      if (kept) {
        renders[run].push(target.counter.total / batch.length)
        mismatches[run] += countMismatches(batch, perFrame, target.counter, nodeIds)
      }
      return us
    },
  )
  for (const target of Object.values(mounted)) {
    target.unmount()
    target.contestant.close()
  }
  alone.unmount()

  const us = medians(samples)
  const resultOf = (run: Run): ReactRunResult => ({
    rendersPerEvent: Math.max(...renders[run]),
    mismatchedNodes: mismatches[run],
    usPerEvent: us[run],
  })
  const readers = Object.fromEntries(
    READERS.map((reader) => [
      reader,
      { frame: resultOf(`${reader}/frame`), burst: resultOf(`${reader}/burst`) },
    ]),
  ) as ReactStreamReport['readers']
  const aloneResult = resultOf('alone')

  const table: Table = {
    headers: [
      'contestant',
      'delivery',
      'components',
      'renders per progress event',
      'µs per progress event',
      'vs floor',
    ],
    rows: [
      ...(['frame', 'burst'] as const).flatMap((delivery) => [
        ...READERS.map((reader) => [
          reader,
          DELIVERIES[delivery],
          count(components),
          decimal(readers[reader][delivery].rendersPerEvent),
          decimal(readers[reader][delivery].usPerEvent),
          ratio(readers[reader][delivery].usPerEvent / readers.floor[delivery].usPerEvent),
        ]),
        ['Map.set', DELIVERIES[delivery], '—', 'n/a', 'n/a (nothing to subscribe to)', '—'],
      ]),
      [
        'one component render alone',
        'new props via root.render',
        '1',
        decimal(aloneResult.rendersPerEvent),
        decimal(aloneResult.usPerEvent),
        '—',
      ],
    ],
    labelColumns: 2,
  }
  return {
    title: `g. React: ${count(components)} mounted components, one node each`,
    notes: [
      `Each component reads one node of a ${count(components)}-node item: the engine through ` +
        '`useItemNodeExecutionState` from `createExecutionHooks(store)` (no context), or, in "context hooks", ' +
        "the exported hook under react-redux's `<Provider>`; the floor through `useSelector`, the " +
        'mutable maps through `useSyncExternalStore` with per-node subscriptions; react-dom renders into a ' +
        'jsdom document. The engine marks progress actions for auto-batching, so RTK tells subscribers once ' +
        "per animation frame; the bench runs frames by hand. Each frame's events are pushed and the frame " +
        'ended inside `flushSync`, so their renders and commit are on the clock. "renders per progress ' +
        'event" counts renders of every mounted component (highest round). The "grouped" rows mount the ' +
        `same readers in memoized groups of ${GROUP} (a page laid out in sections): React then walks the ` +
        'updated group, not 1,000 siblings. The last row re-renders one component with new props, no store.',
      `${config.react.warmupRounds} warm-up round dropped, median of ${config.react.rounds} rounds of ` +
        `${count(events)} events.`,
    ],
    tables: [table],
    outcomes: [],
    readers,
    alone: aloneResult,
  }
}

/** Nodes whose renders differ from the number of frames that changed them. */
function countMismatches(
  events: readonly WireEvent[],
  perFrame: number,
  counter: RenderCounter,
  nodeIds: readonly string[],
): number {
  const expected = new Map<string, number>()
  for (let at = 0; at < events.length; at += perFrame) {
    const touched = new Set<string>()
    for (const event of events.slice(at, at + perFrame)) {
      if (event.name === 'invocation_progress') touched.add(event.payload.invocation_source_id)
    }
    for (const nodeId of touched) expected.set(nodeId, (expected.get(nodeId) ?? 0) + 1)
  }
  return nodeIds.filter((nodeId) => (counter.byNode.get(nodeId) ?? 0) !== (expected.get(nodeId) ?? 0)).length
}
