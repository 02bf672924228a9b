import { randomPromptId } from '../../../src/comfyui'

const CLIENT_ID_KEY = 'workflow-execution/comfyui-client-id'

/** What a ComfyUI server accepts as a clientId, and what this page makes: 32 hex digits (uuid4 hex). */
const CLIENT_ID = /^[0-9a-f]{32}$/

/**
 * This tab's ComfyUI clientId, kept in sessionStorage: a reload reconnects under the same id, so the
 * server sends the frames of a run this tab submitted to the reloaded page too (ComfyUI sends a prompt's
 * frames to its `client_id` only). Another tab gets its own. Without storage, a new id per load.
 */
export function stableClientId(storage: Pick<Storage, 'getItem' | 'setItem'> | null): string {
  const kept = safely(() => storage?.getItem(CLIENT_ID_KEY) ?? null)
  if (kept !== null && CLIENT_ID.test(kept)) return kept
  const made = randomPromptId().replaceAll('-', '')
  safely(() => storage?.setItem(CLIENT_ID_KEY, made))
  return made
}

/** Storage can throw (disabled, quota): the page then goes on without it. */
function safely<T>(read: () => T): T | null {
  try {
    return read()
  } catch {
    return null
  }
}
