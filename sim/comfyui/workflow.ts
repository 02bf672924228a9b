// ComfyUI's default workflow in API format, with its usual node ids (4 loader, 5 latent, 6/7 prompts,
// 3 sampler, 8 decode, 9 save), for tests and demos. `previewImage` adds a PreviewImage (10) on the decode.
import type { ApiPrompt } from './types'

export interface DefaultWorkflowOptions {
  seed?: number
  steps?: number
  width?: number
  height?: number
  batchSize?: number
  positive?: string
  negative?: string
  filenamePrefix?: string
  previewImage?: boolean
}

export function defaultWorkflow(options: DefaultWorkflowOptions = {}): ApiPrompt {
  const prompt: ApiPrompt = {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: options.seed ?? 156680208700286,
        steps: options.steps ?? 20,
        cfg: 8,
        sampler_name: 'euler',
        scheduler: 'normal',
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'v1-5-pruned-emaonly.safetensors' } },
    '5': {
      class_type: 'EmptyLatentImage',
      inputs: {
        width: options.width ?? 512,
        height: options.height ?? 512,
        batch_size: options.batchSize ?? 1,
      },
    },
    '6': {
      class_type: 'CLIPTextEncode',
      inputs: {
        text: options.positive ?? 'beautiful scenery nature glass bottle landscape, , purple galaxy bottle,',
        clip: ['4', 1],
      },
    },
    '7': {
      class_type: 'CLIPTextEncode',
      inputs: { text: options.negative ?? 'text, watermark', clip: ['4', 1] },
    },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': {
      class_type: 'SaveImage',
      inputs: { filename_prefix: options.filenamePrefix ?? 'ComfyUI', images: ['8', 0] },
    },
  }
  if (options.previewImage) prompt['10'] = { class_type: 'PreviewImage', inputs: { images: ['8', 0] } }
  return prompt
}
