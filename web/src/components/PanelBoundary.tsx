import { Component, Fragment, type ErrorInfo, type ReactNode } from 'react'
import { clipText } from '../format/preview'

interface Props {
  /** Shown with the error, so a reader knows which part of the page failed. */
  name: string
  children: ReactNode
}

interface State {
  error: Error | null
  /** Bumped by "retry": a new key remounts the panel with fresh state. */
  attempt: number
}

const MAX_MESSAGE_CHARS = 300

/**
 * One panel's error boundary: a value the panel cannot render fails that panel only, shown with its
 * name and message and a retry that remounts it; the rest of the page keeps working.
 */
export class PanelBoundary extends Component<Props, State> {
  override state: State = { error: null, attempt: 0 }

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) }
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`panel "${this.props.name}" failed:`, error, info.componentStack)
  }

  private readonly retry = () => this.setState(({ attempt }) => ({ error: null, attempt: attempt + 1 }))

  override render() {
    const { error, attempt } = this.state
    if (error === null) return <Fragment key={attempt}>{this.props.children}</Fragment>
    return (
      <section
        className="panel panel-error"
        role="alert"
        data-testid="panel-error"
        data-panel={this.props.name}
      >
        <h2>{this.props.name} failed</h2>
        <p className="error">{clipText(String(error.message), MAX_MESSAGE_CHARS)}</p>
        <button type="button" data-testid="panel-retry" onClick={this.retry}>
          Retry
        </button>
      </section>
    )
  }
}
