import type { Decision, DecisionRing, EventKey } from './types'

export const DECISION_RING_SIZE = 16

export function emptyDecisionRing(): DecisionRing {
  return { entries: [], next: 0, total: 0 }
}

export function recordDecision(ring: DecisionRing, decision: Decision, event: EventKey): DecisionRing {
  const entry = { rule: decision.rule, event, applied: decision.applied }
  const entries = ring.entries.slice()
  entries[ring.next] = entry
  return { entries, next: (ring.next + 1) % DECISION_RING_SIZE, total: ring.total + 1 }
}

/** Oldest first. */
export function recentDecisions(ring: DecisionRing) {
  return ring.entries.length < DECISION_RING_SIZE
    ? ring.entries
    : [...ring.entries.slice(ring.next), ...ring.entries.slice(0, ring.next)]
}
