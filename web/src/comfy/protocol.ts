/*
 * Which server the page talks to. `npm start` says it in the page it serves: `--protocol comfyui` adds
 * `<meta name="workflow-execution-protocol" content="comfyui">` to index.html, and in front of the ComfyUI
 * simulator `<meta name="workflow-execution-simulator" content="comfyui">` too. No request is made to find
 * out (no probe that fails in the console of the other protocol), and a reload keeps it. `?protocol=comfyui`
 * (or `invokeai`) overrides the meta, for a page served by something else (a vite dev server). A page
 * without either is the InvokeAI page, as it always was.
 */

export const PROTOCOL_META = 'workflow-execution-protocol'
export const SIMULATOR_META = 'workflow-execution-simulator'

export type PageProtocol = { protocol: 'invokeai' } | { protocol: 'comfyui'; simulator: boolean }

type Protocol = PageProtocol['protocol']

const isProtocol = (value: string | null | undefined): value is Protocol =>
  value === 'invokeai' || value === 'comfyui'

const metaContent = (doc: Pick<Document, 'querySelector'>, name: string): string | null =>
  doc.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? null

export function readPageProtocol(
  doc: Pick<Document, 'querySelector'>,
  location: Pick<Location, 'search'>,
): PageProtocol {
  const asked = new URLSearchParams(location.search).get('protocol')
  const served = metaContent(doc, PROTOCOL_META)
  const protocol = isProtocol(asked) ? asked : isProtocol(served) ? served : 'invokeai'
  if (protocol === 'invokeai') return { protocol }
  return { protocol, simulator: metaContent(doc, SIMULATOR_META) === 'comfyui' }
}
