/** A non-2xx answer other than 404; a custom fetcher throws it so the retry sees the status. */
export class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`)
    this.name = 'HttpStatusError'
  }
}
