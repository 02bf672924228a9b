import type { SessionQueueItem } from '../../src'
import { seesInFull, viewEvent, viewRow, type Viewer } from './audience'
import { scheduleDelivery, type DeliverySpec, type TimedEvent } from './delivery'
import { epochsOf, type ItemTruth, type WorkflowCase } from './workflowRuns'

/*
 * The server over time, as one client sees it: each epoch (a database; a restart wipes it and the ids
 * start again from 1) enqueues its runs when it opens and runs them one after the other; the client
 * receives their events as the delivery spec says, in full or redacted for who it is; and REST answers
 * with the rows the server holds at the step it is asked.
 */

export interface Epoch {
  /** 1, then 2 after the restart. */
  index: number
  items: ItemTruth[]
  /** The first step this database exists (its runs are enqueued then, pending). */
  opensAt: number
  /** The first step it no longer does: the restart (Infinity for the last). */
  closesAt: number
  emittedAt: Map<number, { start: number; terminal: number }>
}

export interface ScheduledEvent extends TimedEvent {
  epoch: number
  itemId: number
  /** The event in full, not a redacted companion: the client hears of the run. */
  full: boolean
}

export interface Timeline {
  epochs: Epoch[]
  /** What reaches the client's socket (if it is connected), in order. */
  delivered: ScheduledEvent[]
  /** The restart: the server is down from `at` until `until` (the client is disconnected). */
  restart: { at: number; until: number } | null
  /** First-epoch deliveries the restart cut off (they were due after the old server died). */
  lostAtRestart: number
  /** The step after the server's last emission. */
  emittedUntil: number
  /** The last step of the run: every event has been delivered or lost. */
  end: number
}

export const runKey = (run: Pick<ItemTruth, 'epoch' | 'itemId'>) => `${run.itemId}@e${run.epoch}`

export function scheduleCase(workflow: WorkflowCase, spec: DeliverySpec, viewer: Viewer): Timeline {
  const truths = epochsOf(workflow)
  const view = (item: ItemTruth, event: [string, Record<string, unknown>]) =>
    viewEvent(viewer, item.userId, event)
  const epochs: Epoch[] = []
  const delivered: ScheduledEvent[] = []
  let cursor = 0
  let opensAt = 0
  let end = 0
  let emittedUntil = 0
  let restart: Timeline['restart'] = null
  let lostAtRestart = 0
  truths.forEach((items, index) => {
    const schedule = scheduleDelivery(items, spec, { start: opensAt, cursor, view })
    cursor = schedule.cursor
    const closesAt =
      index + 1 < truths.length ? schedule.emittedUntil + (workflow.restart?.gap ?? 0) : Infinity
    for (const event of schedule.delivered) {
      // The old process is gone: what it had not delivered by the restart is lost with its sockets.
      if (event.at >= closesAt) {
        lostAtRestart += 1
        continue
      }
      const itemId = event.event[1].item_id as number
      const truth = items[itemId - 1] as ItemTruth
      delivered.push({ ...event, epoch: index + 1, itemId, full: seesInFull(viewer, truth.userId) })
    }
    epochs.push({ index: index + 1, items, opensAt, closesAt, emittedAt: schedule.emittedAt })
    emittedUntil = schedule.emittedUntil
    end = Math.max(end, Math.min(schedule.end, closesAt))
    if (closesAt !== Infinity) {
      opensAt = closesAt + (workflow.restart?.downtime ?? 0)
      restart = { at: closesAt, until: opensAt }
    }
  })
  delivered.sort((a, b) => a.at - b.at || a.epoch - b.epoch || a.order - b.order)
  return { epochs, delivered, restart, lostAtRestart, emittedUntil, end: Math.max(end, opensAt + 1) }
}

/** Every run of an id, one per epoch that has it, in epoch order. */
export function runsOf(epochs: Epoch[], itemId: number): ItemTruth[] {
  return epochs.flatMap((epoch) => epoch.items.filter((truth) => truth.itemId === itemId))
}

/** Every id some epoch has. */
export function idsOf(epochs: Epoch[]): number[] {
  return [...new Set(epochs.flatMap((epoch) => epoch.items.map((truth) => truth.itemId)))]
}

/** What the server answers about one item: the row the viewer gets, and the run it is of. */
export interface ItemAnswer {
  row: SessionQueueItem
  truth: ItemTruth
  full: boolean
}

export type Server = ReturnType<typeof createServer>

export function createServer(timeline: Timeline, viewer: Viewer) {
  const epochAt = (time: number) =>
    timeline.epochs.find((epoch) => time >= epoch.opensAt && time < epoch.closesAt) ?? null

  // The row as it stood then: pending before its start, running until it stops, then as saved.
  const rowAt = (epoch: Epoch, truth: ItemTruth, time: number): SessionQueueItem => {
    const emitted = epoch.emittedAt.get(truth.itemId) as { start: number; terminal: number }
    if (time >= emitted.terminal) return truth.final
    return time >= emitted.start ? truth.running : truth.pending
  }
  const answer = (epoch: Epoch, truth: ItemTruth, time: number): ItemAnswer => ({
    row: viewRow(viewer, rowAt(epoch, truth, time)),
    truth,
    full: seesInFull(viewer, truth.userId),
  })

  return {
    epochAt,
    /** Between the restart and the server coming back: every request fails. */
    isDown: (time: number) => epochAt(time) === null,

    /** `GET …/i/{id}` at `time`: null when the database has no such item (404). */
    itemAt(itemId: number, time: number): ItemAnswer | null {
      const epoch = epochAt(time)
      const truth = epoch?.items[itemId - 1]
      return epoch && truth ? answer(epoch, truth, time) : null
    },

    /** `current` and the `limit` most recent items (newest first), as the server holds them at `time`. */
    snapshotAt(time: number, limit: number): { current: ItemAnswer | null; items: ItemAnswer[] } {
      const epoch = epochAt(time)
      if (!epoch) return { current: null, items: [] }
      const running = epoch.items.find((truth) => {
        const emitted = epoch.emittedAt.get(truth.itemId) as { start: number; terminal: number }
        return time >= emitted.start && time < emitted.terminal
      })
      return {
        current: running ? answer(epoch, running, time) : null,
        items: [...epoch.items]
          .reverse()
          .slice(0, limit)
          .map((truth) => answer(epoch, truth, time)),
      }
    },
  }
}
