/*
 * Sizes of every stream. The full run is sized for about four minutes on a 2-core machine; where today's
 * engine cannot finish a size in its time budget, the stream stops it and says so. The smoke sizes only
 * check that every runner works and that the contestants agree (no timing claims).
 */

export interface RoundsPlan {
  warmupRounds: number
  rounds: number
}

export interface BenchConfig {
  smoke: boolean
  /** Collect garbage between timed rounds, so one contestant's garbage is not collected on another's clock. */
  collectBetweenRounds: boolean
  steady: RoundsPlan & { nodes: number; eventsPerRound: number }
  wideItem: RoundsPlan & { nodes: number; progressPerNode: number }
  fanOut: {
    copies: number[]
    rounds: number
    /** Sizes up to this get a discarded warm-up round of their own; larger ones run warm from them. */
    warmupUpTo: number
    /** Per contestant and size; a round still running at the end of it is cut short. */
    budgetMs: number
  }
  backToBack: RoundsPlan & { items: number; nodesPerItem: number }
  reconciliation: {
    results: number
    sourceNodes: number
    orphans: number
    warmupResults: number
    rounds: number
    /** Per contestant and case, from the first measured round; the worker is stopped at the end of it. */
    capMs: number
    /** Each case in a worker thread, so that a run the engine cannot finish can be stopped. */
    inWorker: boolean
  }
  memory: {
    /** Heap is read after this many items have run through the engine. */
    checkpoints: number[]
    maxItems: number
    capMs: number
    /** The single-item measure: nodes of the item, and how many such items are held to average. */
    itemNodes: number
    itemsHeld: number
  }
  react: RoundsPlan & { components: number; eventsPerRound: number }
  /** The ComfyUI streams: prompt sizes and frames per round (h, i), and the back-to-back prompts (j). */
  comfy: RoundsPlan & {
    nodes: number[]
    framesPerRound: number
    /** Entries of whole-map `progress_state` frames per round (fewer frames at larger sizes). */
    entriesPerRound: number
    /** A round is every prompt, in a fresh store. */
    prompts: RoundsPlan & { count: number; maxItems: number }
  }
}

export function benchConfig(smoke: boolean): BenchConfig {
  if (smoke) {
    return {
      smoke,
      collectBetweenRounds: false,
      steady: { nodes: 10, eventsPerRound: 60, warmupRounds: 1, rounds: 2 },
      wideItem: { nodes: 25, progressPerNode: 2, warmupRounds: 1, rounds: 2 },
      fanOut: { copies: [4, 12], rounds: 2, warmupUpTo: 12, budgetMs: 10_000 },
      backToBack: { items: 4, nodesPerItem: 3, warmupRounds: 1, rounds: 2 },
      reconciliation: {
        results: 40,
        sourceNodes: 7,
        orphans: 9,
        warmupResults: 5,
        rounds: 1,
        capMs: 10_000,
        inWorker: false,
      },
      memory: { checkpoints: [3, 12], maxItems: 5, capMs: 10_000, itemNodes: 6, itemsHeld: 2 },
      react: { components: 20, eventsPerRound: 30, warmupRounds: 1, rounds: 1 },
      comfy: {
        nodes: [3, 12],
        framesPerRound: 40,
        entriesPerRound: 200,
        prompts: { count: 30, maxItems: 5, warmupRounds: 1, rounds: 1 },
        warmupRounds: 1,
        rounds: 1,
      },
    }
  }
  return {
    smoke,
    collectBetweenRounds: true,
    steady: { nodes: 10, eventsPerRound: 40_000, warmupRounds: 1, rounds: 5 },
    wideItem: { nodes: 1_000, progressPerNode: 2, warmupRounds: 1, rounds: 5 },
    fanOut: { copies: [100, 1_000, 5_000, 10_000], rounds: 3, warmupUpTo: 1_000, budgetMs: 30_000 },
    backToBack: { items: 200, nodesPerItem: 5, warmupRounds: 1, rounds: 5 },
    reconciliation: {
      results: 20_000,
      sourceNodes: 1_000,
      orphans: 10_000,
      warmupResults: 1_000,
      rounds: 3,
      capMs: 12_000,
      inWorker: true,
    },
    memory: { checkpoints: [1_000, 100_000], maxItems: 100, capMs: 60_000, itemNodes: 100, itemsHeld: 20 },
    react: { components: 1_000, eventsPerRound: 300, warmupRounds: 1, rounds: 3 },
    comfy: {
      nodes: [10, 1_000, 10_000],
      framesPerRound: 20_000,
      entriesPerRound: 200_000,
      prompts: { count: 10_000, maxItems: 100, warmupRounds: 1, rounds: 3 },
      warmupRounds: 1,
      rounds: 5,
    },
  }
}
