// What `POST /prompt` checks before it queues anything (docs/comfyui.md §4.1): the body, the client's
// prompt_id, and the API-format prompt. A whole-prompt problem is a 400; a broken output is dropped and
// named in `node_errors`, and the other outputs still run (a 400 only when none is left). Also the
// delivery patch of setDelivery.
import { ComfyPromptError } from './errors'
import { findCycle, linkOf, upstreamOf } from './graph'
import { isNodeClass, NODE_CLASSES } from './nodes'
import type { InputSpec } from './nodes'
import type {
  ApiPrompt,
  ComfyDeliveryOptions,
  JsonObject,
  NodeErrors,
  PromptRequest,
  ValidationError,
} from './types'

/** Canonical lowercase UUID, what core accepts as a client-chosen prompt_id (v0.25.0+). */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const isCanonicalUuid = (value: string) => CANONICAL_UUID.test(value)

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const problem = (type: string, message: string, details: string, inputName?: string): ValidationError => ({
  type,
  message,
  details,
  extra_info: inputName === undefined ? {} : { input_name: inputName },
})

/** The errors of one input of a node against its spec (links are checked against the linked node). */
function inputErrors(prompt: ApiPrompt, name: string, spec: InputSpec, value: unknown): ValidationError[] {
  if (value === undefined) return [problem('required_input_missing', 'Required input is missing', name, name)]
  const link = linkOf(value)
  if (link) {
    const [source, index] = link
    const sourceNode = prompt[source]
    if (!sourceNode) {
      return [problem('bad_linked_input', 'Bad linked input', `${name}: node ${source} does not exist`, name)]
    }
    const received = NODE_CLASSES[sourceNode.class_type]?.outputs[index]
    if (received === undefined) {
      return [
        problem(
          'bad_linked_input',
          'Bad linked input',
          `${name}: node ${source} has no output ${index}`,
          name,
        ),
      ]
    }
    const expected = spec.kind === 'link' ? spec.type : spec.kind
    if (received !== expected) {
      return [
        problem(
          'return_type_mismatch',
          'Return type mismatch between linked nodes',
          `${name}, received_type(${received}) mismatch input_type(${expected})`,
          name,
        ),
      ]
    }
    return []
  }
  if (spec.kind === 'link') {
    return [
      problem('invalid_input_type', 'Input must be a link', `${name}: expected a ${spec.type} link`, name),
    ]
  }
  if (spec.kind === 'STRING' || spec.kind === 'COMBO') {
    const valid = typeof value === 'string' && (spec.kind === 'STRING' || value !== '')
    return valid
      ? []
      : [problem('invalid_input_type', 'Invalid input type', `${name}: ${JSON.stringify(value)}`, name)]
  }
  const integer = spec.kind === 'INT'
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    return [
      problem(
        'invalid_input_type',
        `Failed to convert an input value to a ${spec.kind} value`,
        `${name}, ${String(value)}`,
        name,
      ),
    ]
  }
  if (value < spec.min) {
    return [problem('value_smaller_than_min', `Value ${value} smaller than min of ${spec.min}`, name, name)]
  }
  if (value > spec.max) {
    return [problem('value_bigger_than_max', `Value ${value} bigger than max of ${spec.max}`, name, name)]
  }
  return []
}

function nodeErrorsOf(prompt: ApiPrompt, id: string): ValidationError[] {
  const node = prompt[id] as ApiNodeChecked
  const definition = NODE_CLASSES[node.class_type]
  if (!definition) return []
  return Object.entries(definition.inputs).flatMap(([name, spec]) =>
    inputErrors(prompt, name, spec, node.inputs[name]),
  )
}

type ApiNodeChecked = ApiPrompt[string]

export interface ValidatedPrompt {
  prompt: ApiPrompt
  /** The output nodes that will run (`outputs_to_execute`), in id order. */
  outputs: string[]
  /** The outputs dropped, by the nodes that broke them (non-empty on a 200). */
  nodeErrors: NodeErrors
}

/** Checks an API-format prompt; throws ComfyPromptError (400) when nothing of it can run. */
export function validatePrompt(raw: unknown): ValidatedPrompt {
  if (!isObject(raw))
    throw new ComfyPromptError('invalid_prompt', 'Invalid prompt', 'the prompt must be an object')
  const prompt: ApiPrompt = {}
  for (const [id, node] of Object.entries(raw)) {
    if (!isObject(node) || typeof node['class_type'] !== 'string') {
      throw new ComfyPromptError(
        'invalid_prompt',
        'Cannot execute because a node is missing the class_type property.',
        `Node ID '#${id}'`,
      )
    }
    const classType = node['class_type']
    if (!isNodeClass(classType)) {
      throw new ComfyPromptError(
        'missing_node_type',
        `Node '${classType}' not found. The custom node may not be installed.`,
        `Node ID '#${id}'`,
      )
    }
    const inputs = node['inputs'] ?? {}
    if (!isObject(inputs)) {
      throw new ComfyPromptError(
        'invalid_prompt',
        'Invalid prompt',
        `Node ID '#${id}': inputs must be an object`,
      )
    }
    prompt[id] = { ...(node as object), class_type: classType, inputs } as ApiNodeChecked
  }
  const outputs = Object.keys(prompt)
    .filter((id) => NODE_CLASSES[(prompt[id] as ApiNodeChecked).class_type]?.outputNode)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  if (outputs.length === 0) throw new ComfyPromptError('prompt_no_outputs', 'Prompt has no outputs', '')
  const cycle = findCycle(prompt)
  if (cycle) {
    throw new ComfyPromptError('dependency_cycle', 'Dependency cycle detected', `nodes ${cycle.join(' -> ')}`)
  }

  const errorsByNode = new Map<string, ValidationError[]>()
  const nodeErrors: NodeErrors = {}
  const valid = outputs.filter((output) => {
    const broken = [...upstreamOf(prompt, [output])].filter((id) => {
      if (!errorsByNode.has(id)) errorsByNode.set(id, nodeErrorsOf(prompt, id))
      return (errorsByNode.get(id) as ValidationError[]).length > 0
    })
    for (const id of broken) {
      const entry = (nodeErrors[id] ??= {
        errors: errorsByNode.get(id) as ValidationError[],
        dependent_outputs: [],
        class_type: (prompt[id] as ApiNodeChecked).class_type,
      })
      entry.dependent_outputs.push(output)
    }
    return broken.length === 0
  })
  if (valid.length === 0) {
    const details = Object.values(nodeErrors)
      .flatMap((entry) => entry.errors.map((error) => `${error.message}: ${error.details}`))
      .join('\n')
    throw new ComfyPromptError(
      'prompt_outputs_failed_validation',
      'Prompt outputs failed validation',
      details,
      nodeErrors,
    )
  }
  return { prompt, outputs: valid, nodeErrors }
}

/** Keys the server keeps out of the queue tuple and history (API-node credentials). */
const SENSITIVE_EXTRA_DATA_KEYS = ['auth_token_comfy_org', 'api_key_comfy_org']

export interface ParsedPromptRequest extends ValidatedPrompt {
  promptId: string | null
  /** An explicit priority, or null for the server's counter. */
  number: number | null
  front: boolean
  /** Without `create_time`, which the server stamps when it queues. */
  extraData: JsonObject
}

export function parsePromptRequest(body: unknown): ParsedPromptRequest {
  if (!isObject(body) || !('prompt' in body)) {
    throw new ComfyPromptError('no_prompt', 'No prompt provided', 'the body has no prompt')
  }
  const request = body as PromptRequest
  const promptId = request.prompt_id ?? null
  if (promptId !== null && (typeof promptId !== 'string' || !isCanonicalUuid(promptId))) {
    throw new ComfyPromptError(
      'invalid_prompt_id',
      'Invalid prompt_id',
      `prompt_id must be a canonical lowercase UUID, not ${JSON.stringify(promptId)}`,
    )
  }
  const rawNumber = request.number
  const number = rawNumber === undefined || rawNumber === null ? null : Number(rawNumber)
  if (number !== null && (!Number.isFinite(number) || typeof rawNumber === 'boolean')) {
    throw new ComfyPromptError(
      'invalid_prompt',
      'Invalid prompt',
      `number must be a number, not ${JSON.stringify(rawNumber)}`,
    )
  }
  const extra = request.extra_data ?? {}
  if (!isObject(extra))
    throw new ComfyPromptError('invalid_prompt', 'Invalid prompt', 'extra_data must be an object')
  // The simulator runs no API nodes: their credentials are dropped rather than kept aside.
  const extraData = Object.fromEntries(
    Object.entries(extra).filter(([key]) => !SENSITIVE_EXTRA_DATA_KEYS.includes(key)),
  )
  if ('client_id' in request) extraData['client_id'] = request.client_id
  return {
    ...validatePrompt(request.prompt),
    promptId,
    number,
    front: request.front === true,
    extraData,
  }
}

export const defaultDelivery: Readonly<ComfyDeliveryOptions> = {
  historyLag: 0,
  dropAfterStart: null,
  cachedNodes: false,
  blockedNode: null,
  chaosDrop: 0,
  chaosSeed: 1,
}

/** Applies a delivery patch to `current`; throws on an unknown key or a bad value, changing nothing. */
export function parseDeliveryPatch(patch: unknown, current: ComfyDeliveryOptions): ComfyDeliveryOptions {
  if (!isObject(patch)) throw new Error('delivery options must be an object')
  const next = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue
    const bad = () => new Error(`delivery.${key}: bad value ${JSON.stringify(value)}`)
    switch (key) {
      case 'historyLag':
      case 'chaosSeed':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw bad()
        next[key] = value
        break
      case 'dropAfterStart':
        if (value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 1))
          throw bad()
        next.dropAfterStart = value
        break
      case 'cachedNodes':
        if (typeof value !== 'boolean') throw bad()
        next.cachedNodes = value
        break
      case 'blockedNode':
        if (value !== null && (typeof value !== 'string' || value === '')) throw bad()
        next.blockedNode = value
        break
      case 'chaosDrop':
        if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw bad()
        next.chaosDrop = value
        break
      default:
        throw new Error(`unknown delivery option ${key}`)
    }
  }
  return next
}
