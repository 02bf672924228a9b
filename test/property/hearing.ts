import { runKey, type ItemAnswer, type ScheduledEvent } from './server'

/*
 * What the client heard of each run (by `runKey`), which is what the expectations may hold it to: the
 * engine can know a run only from its events and rows in full (a redacted companion or a sanitized row
 * says nothing of it).
 */

export interface Hearing {
  /** Runs the client got an event or a row of in full. */
  heard: Set<string>
  /** Of those, the runs it heard had started: any event (none is sent before), or a row past pending. */
  started: Set<string>
  /** And those it heard the start time of: a status event (it carries started_at), or a row past pending. */
  startedAt: Set<string>
}

export function createHearing() {
  const hearing: Hearing = { heard: new Set(), started: new Set(), startedAt: new Set() }
  return {
    hearing,
    /** An event that reached the connected socket. */
    event(event: ScheduledEvent) {
      if (!event.full) return
      const key = runKey(event)
      hearing.heard.add(key)
      hearing.started.add(key)
      if (event.event[0] === 'queue_item_status_changed') hearing.startedAt.add(key)
    },
    /** Rows that reached the engine. */
    rows(answers: readonly ItemAnswer[]) {
      for (const answer of answers) {
        if (!answer.full) continue
        const key = runKey(answer.truth)
        hearing.heard.add(key)
        if (answer.row.status === 'pending') continue
        hearing.started.add(key)
        hearing.startedAt.add(key)
      }
    },
  }
}
