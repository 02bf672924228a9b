import { CONTESTANT_NAMES, type ContestantName } from '../contestants'
import { count, decimal, ratio, type Table } from '../report'

/** One row per stream, one column per contestant: µs per event, medians of the kept rounds. */
export function perEventTable(
  label: string,
  eventsPerRound: number,
  rounds: number,
  medianUs: Record<ContestantName, number>,
): Table {
  return {
    headers: [
      'stream',
      'events × rounds',
      ...CONTESTANT_NAMES.map((name) => `${name} µs/event`),
      'engine/floor',
    ],
    rows: [
      [
        label,
        `${count(eventsPerRound)} × ${rounds}`,
        ...CONTESTANT_NAMES.map((name) => decimal(medianUs[name])),
        ratio(medianUs.engine / medianUs.floor),
      ],
    ],
  }
}
