/*
 * An append-only list of plain arrays in chunks of CHUNK: appending copies one chunk and the (short)
 * list of chunks, not the whole list, so a node with 10,000 outputs appends as cheaply as one with 10.
 */
export interface OutputList<T> {
  readonly size: number
  readonly chunks: readonly (readonly T[])[]
}

const CHUNK = 64

const EMPTY: OutputList<never> = { size: 0, chunks: [] }

export function emptyList<T>(): OutputList<T> {
  return EMPTY
}

export function listAppend<T>(list: OutputList<T>, value: T): OutputList<T> {
  const last = list.chunks[list.chunks.length - 1]
  if (last === undefined || last.length >= CHUNK)
    return { size: list.size + 1, chunks: [...list.chunks, [value]] }
  const chunks = list.chunks.slice()
  chunks[chunks.length - 1] = [...last, value]
  return { size: list.size + 1, chunks }
}

export function listFrom<T>(values: readonly T[]): OutputList<T> {
  if (values.length === 0) return EMPTY
  const chunks: T[][] = []
  for (let start = 0; start < values.length; start += CHUNK) chunks.push(values.slice(start, start + CHUNK))
  return { size: values.length, chunks }
}

export function listToArray<T>(list: OutputList<T>): T[] {
  return list.chunks.length === 1 ? (list.chunks[0] as T[]).slice() : (list.chunks.flat() as T[])
}
