/*
 * Ids as the server makes them: source ids are the workflow's node ids, prepared ids are unique per copy
 * and per item (UUIDs on a real server), so no two items ever share one.
 */

export const sourceIdOf = (node: number): string => `node-${node}`

export const preparedIdOf = (itemId: number, node: number, copy = 0): string =>
  `prepared-${itemId}-${node}-${copy}`
