import { SimulatorError } from '../errors'
import type { NodeErrors, PromptErrorBody } from './types'

/** A refused `POST /prompt`: status 400 and the `{ error, node_errors }` answer the server gives. */
export class ComfyPromptError extends SimulatorError {
  readonly body: PromptErrorBody

  constructor(type: string, message: string, details = '', nodeErrors: NodeErrors = {}) {
    super(400, message)
    this.name = 'ComfyPromptError'
    this.body = { error: { type, message, details, extra_info: {} }, node_errors: nodeErrors }
  }
}

export { SimulatorError }
