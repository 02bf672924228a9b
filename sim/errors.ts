/** An error with the HTTP status and the `detail` the REST API answers with. */
export class SimulatorError extends Error {
  readonly status: number

  constructor(status: number, detail: string) {
    super(detail)
    this.name = 'SimulatorError'
    this.status = status
  }
}

export function unprocessable(detail: string): SimulatorError {
  return new SimulatorError(422, detail)
}

export function notFound(detail: string): SimulatorError {
  return new SimulatorError(404, detail)
}
