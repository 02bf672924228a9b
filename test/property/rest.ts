import type { FetchQueueItem, FetchQueueSnapshot, SessionQueueItem } from '../../src'
import type { HydrationBehaviour } from './client'
import type { FetchBehaviour } from './delivery'
import type { ItemAnswer, Server } from './server'

/*
 * The engine's REST calls, answered from the server's rows at the step they are asked: at once, failing,
 * or late with the rows as they were when asked (a disconnect meanwhile aborts the request: the engine
 * never applies such an answer). While the server is down every call fails; once the run is over the
 * server is healthy and answers at once.
 */

export interface RestClock {
  now: number
  /** Every run is over: answers come at once, none fails. */
  healthy: boolean
  /** Counts connects: an answer reaches the engine only on the connection it was asked on. */
  connection: number
}

interface PendingAnswer {
  due: number
  connection: number
  answers: ItemAnswer[]
  value: unknown
  resolve: (value: unknown) => void
}

export interface RestOptions {
  server: Server
  clock: RestClock
  fetches: readonly FetchBehaviour[]
  hydration: HydrationBehaviour
  log: (line: string) => void
  /** Rows that reached the engine. */
  heard: (answers: readonly ItemAnswer[]) => void
  connected: () => boolean
}

const describeRow = (answer: ItemAnswer) =>
  `${answer.row.status}${answer.truth.epoch > 1 ? `@e${answer.truth.epoch}` : ''}${answer.full ? '' : ' (sanitized)'}`

export function createRest({ server, clock, fetches, hydration, log, heard, connected }: RestOptions) {
  const pending: PendingAnswer[] = []
  let fetchIndex = 0
  const later = (due: number, answers: ItemAnswer[], value: unknown) =>
    new Promise((resolve) => pending.push({ due, connection: clock.connection, answers, value, resolve }))
  const down = (what: string) => {
    log(`GET ${what}: server down`)
    return Promise.reject(new Error('connect ECONNREFUSED'))
  }

  const fetchQueueItem: FetchQueueItem = ({ itemId }) => {
    const askedAt = clock.now
    if (server.isDown(askedAt)) return down(`item ${itemId}`)
    const behaviour: FetchBehaviour = clock.healthy ? 'ok' : (fetches[fetchIndex++] ?? 'ok')
    const found = server.itemAt(itemId, askedAt)
    log(
      `GET item ${itemId}: ${typeof behaviour === 'string' ? behaviour : `slow ${behaviour.slow}`}` +
        (behaviour === 'fail' ? '' : ` → ${found ? describeRow(found) : '404'}`),
    )
    if (behaviour === 'fail') return Promise.reject(new Error('HTTP 500'))
    const answers = found ? [found] : []
    if (behaviour === 'ok') {
      heard(answers)
      return Promise.resolve(found?.row ?? null)
    }
    return later(askedAt + behaviour.slow, answers, found?.row ?? null)
  }

  const fetchQueueSnapshot: FetchQueueSnapshot = ({ limit }) => {
    const askedAt = clock.now
    if (hydration === 'unsupported') {
      log('GET queue: 404 (no such endpoints)')
      return Promise.resolve(null)
    }
    if (server.isDown(askedAt)) return down('queue')
    const { current, items } = server.snapshotAt(askedAt, limit)
    const value: { current: SessionQueueItem | null; items: SessionQueueItem[] } = {
      current: current?.row ?? null,
      items: items.map((answer) => answer.row),
    }
    const answers = current ? [...items, current] : items
    const slow = clock.healthy || hydration === 'answers' ? null : hydration.slow
    log(
      `GET queue${slow === null ? '' : ` (slow ${slow})`}: ` +
        `current ${current ? `${current.truth.itemId} ${describeRow(current)}` : 'none'}; ` +
        items.map((answer) => `${answer.truth.itemId} ${describeRow(answer)}`).join(', '),
    )
    if (slow === null) {
      heard(answers)
      return Promise.resolve(value)
    }
    return later(askedAt + slow, answers, value) as Promise<typeof value>
  }

  return {
    fetchQueueItem,
    fetchQueueSnapshot,
    /** Answers the late requests that are due (all of them: `all`). */
    answerDue(all: boolean) {
      for (const answer of [...pending]) {
        if (!all && answer.due > clock.now) continue
        pending.splice(pending.indexOf(answer), 1)
        if (answer.connection === clock.connection && connected()) heard(answer.answers)
        answer.resolve(answer.value)
      }
    },
    pendingCount: () => pending.length,
  }
}
