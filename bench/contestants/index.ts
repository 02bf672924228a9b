import { createEngineContestant } from './engine'
import { createFloorContestant } from './floor'
import { createMapSetContestant } from './mapSet'
import { createMutableContestant } from './mutable'
import type { Contestant, ContestantName, ContestantOptions } from './types'

export { CONTESTANT_NAMES } from './types'
export type * from './types'

/** A fresh contestant: an empty store or empty maps. */
export function createContestant(name: ContestantName, options: ContestantOptions = {}): Contestant {
  switch (name) {
    case 'engine':
      return createEngineContestant(options)
    case 'floor':
      return createFloorContestant()
    case 'mutable':
      return createMutableContestant()
    case 'Map.set':
      return createMapSetContestant()
  }
}
