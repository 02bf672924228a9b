// The node classes of ComfyUI's default workflow, simulated: their inputs (what validation checks),
// their output types (what links must match) and what a run does. Only KSampler (one step per sampling
// step, with previews) and VAEDecode (one step) take time; the pictures come from the KSampler seed alone.
import type { PictureSpec } from '../picture'
import type { ImageRef, UiOutput } from './types'

export type SlotType = 'MODEL' | 'CLIP' | 'VAE' | 'CONDITIONING' | 'LATENT' | 'IMAGE'

export type InputSpec =
  | { kind: 'link'; type: SlotType }
  | { kind: 'INT' | 'FLOAT'; min: number; max: number }
  | { kind: 'STRING' }
  /** A choice list. The simulator has no model folders, so any non-empty string passes. */
  | { kind: 'COMBO' }

/** What a node output carries through a link, in the simulator's terms. */
export type Value =
  | { type: 'MODEL' | 'CLIP' | 'VAE'; checkpoint: string }
  | { type: 'CONDITIONING'; text: string }
  /** Pixel size (not /8): the pictures are drawn at it. `seed` null until a sampler ran. */
  | { type: 'LATENT'; width: number; height: number; batch: number; seed: number | null }
  | { type: 'IMAGE'; pictures: PictureSpec[] }

export interface NodeResult {
  values: Value[]
  ui: UiOutput | null
}

export interface NodeContext {
  /** Sampling step `index` of `total` (1-based): takes a step's time, then sends progress and a preview. */
  step(index: number, total: number, picture: PictureSpec): Promise<void>
  /** One step's time without progress frames (a decode). */
  work(): Promise<void>
  /** Stores the pictures for `/view` and returns their references. */
  save(type: ImageRef['type'], prefix: string, pictures: PictureSpec[]): ImageRef[]
  failSeed: number
}

/** A node that raised: becomes the prompt's execution_error. */
export class NodeFailure extends Error {
  readonly exceptionType: string
  readonly traceback: string[]

  constructor(exceptionType: string, message: string, traceback: string[]) {
    super(message)
    this.name = 'NodeFailure'
    this.exceptionType = exceptionType
    this.traceback = traceback
  }
}

export interface NodeClass {
  inputs: Readonly<Record<string, InputSpec>>
  outputs: readonly SlotType[]
  /** An output node: what a prompt executes (its upstream runs for it). */
  outputNode: boolean
  run(inputs: Record<string, unknown>, context: NodeContext): Promise<NodeResult>
}

const MAX_RESOLUTION = 16384
const MAX_SEED = 2 ** 64 - 1

const link = (type: SlotType): InputSpec => ({ kind: 'link', type })
const int = (min: number, max: number): InputSpec => ({ kind: 'INT', min, max })
const float = (min: number, max: number): InputSpec => ({ kind: 'FLOAT', min, max })

const outOfMemory = (steps: number) =>
  new NodeFailure(
    'torch.OutOfMemoryError',
    'Allocation on device \nThis error means you ran out of memory on your GPU.\n\n' +
      'TIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.\n',
    [
      '  File "comfy/samplers.py", line 1, in sample (simulated)\n',
      `  File "comfy/k_diffusion/sampling.py", line ${Math.floor(steps / 2) + 1}, in sample_euler (simulated)\n`,
    ],
  )

const instant = (values: Value[], ui: UiOutput | null = null): Promise<NodeResult> =>
  Promise.resolve({ values, ui })

const imagesOf = (inputs: Record<string, unknown>) =>
  (inputs['images'] as Extract<Value, { type: 'IMAGE' }>).pictures

export const NODE_CLASSES: Readonly<Record<string, NodeClass>> = {
  CheckpointLoaderSimple: {
    inputs: { ckpt_name: { kind: 'COMBO' } },
    outputs: ['MODEL', 'CLIP', 'VAE'],
    outputNode: false,
    run: (inputs) => {
      const checkpoint = String(inputs['ckpt_name'])
      return instant([
        { type: 'MODEL', checkpoint },
        { type: 'CLIP', checkpoint },
        { type: 'VAE', checkpoint },
      ])
    },
  },
  CLIPTextEncode: {
    inputs: { text: { kind: 'STRING' }, clip: link('CLIP') },
    outputs: ['CONDITIONING'],
    outputNode: false,
    run: (inputs) => instant([{ type: 'CONDITIONING', text: String(inputs['text']) }]),
  },
  EmptyLatentImage: {
    inputs: { width: int(16, MAX_RESOLUTION), height: int(16, MAX_RESOLUTION), batch_size: int(1, 4096) },
    outputs: ['LATENT'],
    outputNode: false,
    run: (inputs) =>
      instant([
        {
          type: 'LATENT',
          width: inputs['width'] as number,
          height: inputs['height'] as number,
          batch: inputs['batch_size'] as number,
          seed: null,
        },
      ]),
  },
  KSampler: {
    inputs: {
      model: link('MODEL'),
      seed: int(0, MAX_SEED),
      steps: int(1, 10000),
      cfg: float(0, 100),
      sampler_name: { kind: 'COMBO' },
      scheduler: { kind: 'COMBO' },
      positive: link('CONDITIONING'),
      negative: link('CONDITIONING'),
      latent_image: link('LATENT'),
      denoise: float(0, 1),
    },
    outputs: ['LATENT'],
    outputNode: false,
    async run(inputs, context) {
      const latent = inputs['latent_image'] as Extract<Value, { type: 'LATENT' }>
      const seed = inputs['seed'] as number
      const steps = inputs['steps'] as number
      const picture = { seed, width: latent.width, height: latent.height }
      // The failure seed runs half its steps first, so a client sees progress before the error.
      const failAt = seed === context.failSeed ? Math.floor(steps / 2) + 1 : null
      for (let index = 1; index <= steps; index++) {
        if (index === failAt) throw outOfMemory(steps)
        await context.step(index, steps, picture)
      }
      return { values: [{ ...latent, seed }], ui: null }
    },
  },
  VAEDecode: {
    inputs: { samples: link('LATENT'), vae: link('VAE') },
    outputs: ['IMAGE'],
    outputNode: false,
    async run(inputs, context) {
      const latent = inputs['samples'] as Extract<Value, { type: 'LATENT' }>
      await context.work()
      // One picture per batch entry; an unsampled latent decodes as the picture of seed 0.
      const base = latent.seed ?? 0
      const pictures = Array.from({ length: latent.batch }, (_, index) => ({
        seed: base + index,
        width: latent.width,
        height: latent.height,
      }))
      return { values: [{ type: 'IMAGE', pictures }], ui: null }
    },
  },
  SaveImage: {
    inputs: { images: link('IMAGE'), filename_prefix: { kind: 'STRING' } },
    outputs: [],
    outputNode: true,
    run: (inputs, context) =>
      instant([], { images: context.save('output', String(inputs['filename_prefix']), imagesOf(inputs)) }),
  },
  PreviewImage: {
    inputs: { images: link('IMAGE') },
    outputs: [],
    outputNode: true,
    run: (inputs, context) => instant([], { images: context.save('temp', 'ComfyUI_temp', imagesOf(inputs)) }),
  },
}

export const isNodeClass = (classType: string) => Object.hasOwn(NODE_CLASSES, classType)

/** How `current_inputs` of an execution_error shows a value: primitives as they are, objects by kind. */
export function formatInput(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  const typed = value as Value
  switch (typed.type) {
    case 'MODEL':
      return '<comfy.model_patcher.ModelPatcher object (simulated)>'
    case 'CLIP':
      return '<comfy.sd.CLIP object (simulated)>'
    case 'VAE':
      return '<comfy.sd.VAE object (simulated)>'
    case 'CONDITIONING':
      return `[[Tensor(shape=[1, 77, 768]), {'text': ${JSON.stringify(typed.text.slice(0, 40))}}]]`
    case 'LATENT':
      return `{'samples': Tensor(shape=[${typed.batch}, 4, ${typed.height >> 3}, ${typed.width >> 3}])}`
    default:
      return `Tensor(shape=[${typed.pictures.length}, …])`
  }
}
