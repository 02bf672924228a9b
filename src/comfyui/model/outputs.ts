import type { InvocationOutput } from '../../features/workflowExecution/model/types'

/** The `type` of every output the ComfyUI adapter delivers: the node's UI output sits under `ui`. */
export const COMFY_OUTPUT_TYPE = 'comfyui_output'

/** One image of a ComfyUI UI output, as `GET /view` takes it. */
export interface ComfyImageRef {
  filename: string
  subfolder: string
  type: string
}

/** A ComfyUI node's UI output (`{ images: [...] }`, and whatever else the node sends), as an engine output. */
export interface ComfyOutput extends InvocationOutput {
  type: typeof COMFY_OUTPUT_TYPE
  ui: Record<string, unknown>
}

export function comfyOutput(ui: Record<string, unknown>): ComfyOutput {
  return { type: COMFY_OUTPUT_TYPE, ui }
}

const isImageRef = (value: unknown): value is ComfyImageRef =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ComfyImageRef).filename === 'string' &&
  typeof ((value as ComfyImageRef).subfolder ?? '') === 'string' &&
  typeof ((value as ComfyImageRef).type ?? '') === 'string'

/** The images of an output the adapter delivered (none for another output). */
export function imagesOf(output: InvocationOutput): ComfyImageRef[] {
  if (output.type !== COMFY_OUTPUT_TYPE) return []
  const images = (output as ComfyOutput).ui?.images
  return Array.isArray(images)
    ? images.filter(isImageRef).map((image) => ({
        filename: image.filename,
        subfolder: image.subfolder ?? '',
        type: image.type ?? 'output',
      }))
    : []
}

/** Where the server serves one image: `GET /view?filename=…&subfolder=…&type=…`. */
export function viewUrl(baseUrl: string, image: ComfyImageRef): string {
  const query = new URLSearchParams({
    filename: image.filename,
    subfolder: image.subfolder,
    type: image.type,
  })
  return `${baseUrl.replace(/\/+$/, '')}/view?${query.toString()}`
}
