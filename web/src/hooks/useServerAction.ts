import { useCallback, useState } from 'react'

export interface ServerAction<A extends unknown[]> {
  run: (...args: A) => void
  busy: boolean
  /** The last failure, as text. */
  error: string | null
  /** What the last success said, as text. */
  message: string | null
}

/** Runs one server call at a time for a button or form, keeping its outcome as text for the page. */
export function useServerAction<A extends unknown[], R>(
  call: (...args: A) => Promise<R>,
  describe: (result: R) => string | null = () => null,
): ServerAction<A> {
  const [state, setState] = useState({
    busy: false,
    error: null as string | null,
    message: null as string | null,
  })
  const run = useCallback(
    (...args: A) => {
      setState({ busy: true, error: null, message: null })
      call(...args).then(
        (result) => setState({ busy: false, error: null, message: describe(result) }),
        (error: unknown) =>
          setState({
            busy: false,
            error: error instanceof Error ? error.message : String(error),
            message: null,
          }),
      )
    },
    [call, describe],
  )
  return { run, ...state }
}
