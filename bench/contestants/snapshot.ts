import type { InvocationOutput, SessionQueueItem } from '../../src'

export interface PersistedResult {
  preparedId: string
  /** Null: neither mapping names the prepared id (an orphan). */
  sourceId: string | null
  output: InvocationOutput
}

/**
 * The persisted results in execution order with their source node, read the way a hand-written client
 * would (direct mapping, else the reverse one). No validation: the baselines trust the server.
 */
export function persistedResults(snapshot: SessionQueueItem): PersistedResult[] {
  const { session } = snapshot
  const direct = session.prepared_source_mapping ?? {}
  const reverse = new Map<string, string>()
  for (const [sourceId, preparedIds] of Object.entries(session.source_prepared_mapping ?? {})) {
    for (const preparedId of preparedIds) reverse.set(preparedId, sourceId)
  }
  const rank = new Map<string, number>()
  ;(session.executed_history ?? session.executed ?? []).forEach((id, index) => {
    if (!rank.has(id)) rank.set(id, index)
  })
  const results = Object.entries(session.results ?? {}).map(([preparedId, output]): PersistedResult => ({
    preparedId,
    sourceId: (Object.hasOwn(direct, preparedId) ? direct[preparedId] : reverse.get(preparedId)) ?? null,
    output: output as InvocationOutput,
  }))
  const order = (result: PersistedResult) => rank.get(result.preparedId) ?? Number.MAX_SAFE_INTEGER
  return results.sort((a, b) => order(a) - order(b))
}
