/*
 * The start of a payload as JSON, at most `maxChars` long, built by an explicit stack instead of
 * `JSON.stringify`: its cost is bounded by `maxChars`, never by the payload's size or depth, and it cannot
 * overflow the call stack, so a 100,000-level payload previews the same from any call site. Where
 * `JSON.stringify` succeeds, the preview is exactly the first `maxChars` characters of its output.
 */

type Frame =
  | { kind: 'text'; text: string }
  | { kind: 'value'; value: unknown; inArray: boolean }
  | { kind: 'array'; array: readonly unknown[]; index: number }
  | { kind: 'object'; object: object; keys: string[]; index: number; wrote: boolean }

function toJsonValue(value: unknown, key: string): unknown {
  if (
    value !== null &&
    (typeof value === 'object' || typeof value === 'bigint') &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return (value as { toJSON: (key: string) => unknown }).toJSON.call(value, key)
  }
  return value
}

/** Whether JSON.stringify leaves the value out of an object (and writes `null` in an array). */
function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol'
}

function primitiveJson(value: unknown, room: number): string | null {
  switch (typeof value) {
    case 'string':
      // Each character takes at least one output character: a cut string escapes as the whole one does.
      return JSON.stringify(value.length > room ? value.slice(0, room) : value)
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null'
    case 'boolean':
      return value ? 'true' : 'false'
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt')
    default:
      return value === null ? 'null' : null
  }
}

export function boundedJsonPreview(payload: unknown, maxChars: number): string {
  let out = ''
  const stack: Frame[] = [{ kind: 'value', value: toJsonValue(payload, ''), inArray: false }]
  const write = (text: string) => {
    out += text.length > maxChars - out.length ? text.slice(0, maxChars - out.length) : text
  }
  try {
    while (stack.length > 0 && out.length < maxChars) {
      const frame = stack.pop() as Frame
      if (frame.kind === 'text') {
        write(frame.text)
      } else if (frame.kind === 'value') {
        const { value } = frame
        if (isSkipped(value)) {
          // Only reached at the top level (no JSON at all) or in an array (written as null).
          write(frame.inArray ? 'null' : String(value))
          continue
        }
        const primitive = primitiveJson(value, maxChars - out.length)
        if (primitive !== null) write(primitive)
        else if (Array.isArray(value)) {
          write('[')
          stack.push({ kind: 'array', array: value, index: 0 })
        } else {
          write('{')
          stack.push({
            kind: 'object',
            object: value as object,
            keys: Object.keys(value as object),
            index: 0,
            wrote: false,
          })
        }
      } else if (frame.kind === 'array') {
        if (frame.index >= frame.array.length) {
          write(']')
          continue
        }
        const index = frame.index
        frame.index += 1
        stack.push(frame)
        stack.push({
          kind: 'value',
          value: toJsonValue(frame.array[index], String(index)),
          inArray: true,
        })
        if (index > 0) stack.push({ kind: 'text', text: ',' })
      } else {
        // Skip the members JSON.stringify leaves out, without writing anything for them.
        let next: { key: string; value: unknown } | null = null
        while (frame.index < frame.keys.length && next === null) {
          const key = frame.keys[frame.index] as string
          frame.index += 1
          const value = toJsonValue((frame.object as Record<string, unknown>)[key], key)
          if (!isSkipped(value)) next = { key, value }
        }
        if (next === null) {
          write('}')
          continue
        }
        stack.push(frame)
        stack.push({ kind: 'value', value: next.value, inArray: false })
        const key = primitiveJson(next.key, maxChars - out.length) as string
        stack.push({ kind: 'text', text: `${frame.wrote ? ',' : ''}${key}:` })
        frame.wrote = true
      }
    }
  } catch {
    // A getter or toJSON that throws, or a BigInt: what was written so far, marked.
    return out.length > 0 ? out : '[not serializable]'
  }
  return out
}
